/**
 * npm run bench:rules — the rules engine against its peers, in one process, on the same rules and data.
 *
 * Workload 1, one rule over a customer's precomputed features (four comparisons):
 *   our compiled closures; a hand-written JavaScript closure (the limit); @marcbachmann/cel-js; filtrex;
 *   json-rules-engine.
 * Workload 2, a whole customer: every active seed snoop over 300 raw transactions, ours against cel-js
 *   evaluating the very same CEL text (with the DSL's aggregate functions registered).
 *
 * The machine is shared and noisy: every candidate runs in interleaved rounds and the median counts;
 * compare ratios, not absolute figures. Last line: one JSON object.
 */
import { Environment } from '@marcbachmann/cel-js';
import { compileExpression } from 'filtrex';
import { Engine } from 'json-rules-engine';
import {
  AggregatePlan,
  checkExpression,
  compileRuleFile,
  Compiler,
  parseExpression,
  printRuleFile,
  storedSnoopSchema,
  toSnoopDefinition,
  type CompiledRuleSet,
  type CustomerFacts,
  BOOL,
  DOUBLE,
  objectType,
} from '@backbone/rules-language';
import { formatTable } from '@backbone/shared/local';
import { celReferenceEnvironment, sampleCustomer, toStandardCel } from '@backbone/rules-language/testing';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1_000);

interface Candidate {
  name: string;
  /** Runs `iterations` operations; returns a value so that nothing is optimised away. */
  run: (iterations: number) => unknown;
}

/** Operations per second: each candidate in turn, ROUNDS times, median of its rounds. */
async function race(title: string, candidates: Candidate[]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  let sink = 0;
  for (const candidate of candidates) await candidate.run(50); // warm-up
  for (let round = 1; round <= ROUNDS; round++) {
    for (const candidate of candidates) {
      let iterations = 0;
      let batch = 64;
      const start = performance.now();
      while (performance.now() - start < ROUND_MS) {
        const result = await candidate.run(batch);
        sink += result ? 1 : 0;
        iterations += batch;
        if (performance.now() - start < ROUND_MS / 10) batch *= 2;
      }
      samples.get(candidate.name)!.push(iterations / ((performance.now() - start) / 1000));
    }
    process.stderr.write(`  ${title}: round ${round}/${ROUNDS} done\n`);
  }
  const medians = new Map<string, number>();
  for (const [name, values] of samples)
    medians.set(name, [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
  if (sink < 0) console.log(sink);
  return medians;
}

function table(rows: string[][]): void {
  for (const line of formatTable(rows)) console.log(line);
}

// ---------------------------------------------------------------------------------------------------
// Workload 1: one rule, four comparisons over precomputed features

interface Features {
  energySpend: number;
  isHomeowner: boolean;
  age: number;
  savings: number;
}

const FEATURES: Features[] = Array.from({ length: 1024 }, (_, i) => ({
  energySpend: (i * 37) % 700,
  isHomeowner: i % 3 !== 0,
  age: 16 + (i % 60),
  savings: (i * 131) % 9000,
}));
const CONTEXTS = FEATURES.map((features) => ({ features }));

const RULE =
  'features.energySpend > 300.0 && features.isHomeowner && features.age >= 18.0 && features.savings < 5000.0';

function oursSingle(): Candidate {
  const variables = {
    features: objectType('features', { energySpend: DOUBLE, isHomeowner: BOOL, age: DOUBLE, savings: DOUBLE }),
  };
  const expr = parseExpression(RULE);
  const checked = checkExpression(expr, variables);
  if (checked.issues.length > 0) throw new Error(checked.issues[0]!.message);
  const plan = new AggregatePlan();
  const compiled = new Compiler(plan, new Set(['features'])).compile(expr);
  const env: unknown[] = [];
  const slots: unknown[] = [];
  return {
    name: 'compiled DSL (ours)',
    run(n) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (compiled(CONTEXTS[i & 1023]!, env, slots) === true) hits++;
      return hits;
    },
  };
}

function closureSingle(): Candidate {
  const rule = (f: Features): boolean => f.energySpend > 300 && f.isHomeowner && f.age >= 18 && f.savings < 5000;
  return {
    name: 'hand-written closure',
    run(n) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (rule(FEATURES[i & 1023]!)) hits++;
      return hits;
    },
  };
}

function celSingle(): Candidate {
  const evaluate = new Environment({ unlistedVariablesAreDyn: true }).parse(RULE);
  return {
    name: '@marcbachmann/cel-js',
    run(n) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (evaluate(CONTEXTS[i & 1023]) === true) hits++;
      return hits;
    },
  };
}

function filtrexSingle(): Candidate {
  const rule = compileExpression('energySpend > 300 and isHomeowner and age >= 18 and savings < 5000');
  return {
    name: 'filtrex',
    run(n) {
      let hits = 0;
      for (let i = 0; i < n; i++) if (rule(FEATURES[i & 1023]!) === true) hits++;
      return hits;
    },
  };
}

function jsonRulesEngineSingle(): Candidate {
  const engine = new Engine([], { allowUndefinedFacts: false });
  engine.addRule({
    conditions: {
      all: [
        { fact: 'energySpend', operator: 'greaterThan', value: 300 },
        { fact: 'isHomeowner', operator: 'equal', value: true },
        { fact: 'age', operator: 'greaterThanInclusive', value: 18 },
        { fact: 'savings', operator: 'lessThan', value: 5000 },
      ],
    },
    event: { type: 'match' },
  });
  return {
    name: 'json-rules-engine',
    async run(n) {
      let hits = 0;
      for (let i = 0; i < n; i++) {
        const { events } = await engine.run({ ...FEATURES[i & 1023]! });
        hits += events.length;
      }
      return hits;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Workload 2: every active seed snoop for a customer with 300 transactions

function seedDefinitions() {
  const stored = seedCatalogue().map((s) => storedSnoopSchema.parse(s));
  return stored.map(toSnoopDefinition).filter((d) => d.status === 'active');
}

const CUSTOMERS: CustomerFacts[] = Array.from({ length: 256 }, (_, i) => sampleCustomer(i + 1, 300));

function oursCustomers(): Candidate & { aggregates: number; rules: number; ruleSet: CompiledRuleSet } {
  const outcome = compileRuleFile(printRuleFile(seedDefinitions()));
  if (!outcome.ok) throw new Error('the seed catalogue does not compile');
  const { ruleSet } = outcome;
  return {
    name: 'compiled DSL (ours)',
    ruleSet,
    aggregates: ruleSet.aggregateCount,
    rules: ruleSet.snoops.length,
    run(n) {
      let matched = 0;
      for (let i = 0; i < n; i++) matched += ruleSet.evaluate(CUSTOMERS[i & 255]!).length;
      return matched;
    },
  };
}

function celCustomers(): Candidate & { check: (customer: CustomerFacts) => Map<string, number> } {
  const env = celReferenceEnvironment();
  const rules = seedDefinitions().map((d) => ({
    id: d.id,
    when: env.parse(toStandardCel(d.when)),
    score: env.parse(toStandardCel(d.score)),
  }));
  const evaluateCustomer = (customer: CustomerFacts): Map<string, number> => {
    const results = new Map<string, number>();
    for (const rule of rules) {
      if (rule.when(customer) !== true) continue;
      const raw = Number(rule.score(customer));
      results.set(rule.id, raw >= 1 ? 1 : raw > 0 ? raw : 0);
    }
    return results;
  };
  return {
    name: '@marcbachmann/cel-js',
    check: evaluateCustomer,
    run(n) {
      let matched = 0;
      for (let i = 0; i < n; i++) matched += evaluateCustomer(CUSTOMERS[i & 255]!).size;
      return matched;
    },
  };
}

async function main(): Promise<void> {
  console.log(`rules benchmark: Node ${process.version}, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, medians\n`);

  const single = await race('one rule', [
    oursSingle(),
    closureSingle(),
    celSingle(),
    filtrexSingle(),
    jsonRulesEngineSingle(),
  ]);
  const singleRows = [...single.entries()].map(([name, ops]) => [name, (ops / 1e6).toFixed(3)]);
  table([['one rule, 4 comparisons, precomputed features', 'M evals/s'], ...singleRows]);

  const ours = oursCustomers();
  const cel = celCustomers();
  // Same rules, same customers: both implementations must find the same snoops with the same scores.
  let disagreements = 0;
  for (const customer of CUSTOMERS) {
    const mine = new Map(ours.ruleSet.evaluate(customer).map((r) => [r.id, r.score]));
    const theirs = cel.check(customer);
    if (mine.size !== theirs.size || [...mine].some(([id, score]) => theirs.get(id) !== score)) disagreements++;
  }
  console.log(
    `\nwhole customer: ${ours.rules} snoops, ${ours.aggregates} distinct aggregates, 300 transactions; ours and cel-js disagree on ${disagreements} of ${CUSTOMERS.length} customers`,
  );
  const whole = await race('whole customer', [ours, cel]);
  table([
    ['whole customer, all seed snoops', 'customers/s'],
    ...[...whole.entries()].map(([name, ops]) => [name, ops.toFixed(0)]),
  ]);

  const oursSingleOps = single.get('compiled DSL (ours)')!;
  const closureOps = single.get('hand-written closure')!;
  const peers = [...single.entries()].filter(
    ([name]) => name !== 'compiled DSL (ours)' && name !== 'hand-written closure',
  );
  const [bestPeer, bestPeerOps] = peers.sort((a, b) => b[1] - a[1])[0]!;
  const customersPerSecond = whole.get('compiled DSL (ours)')!;
  const celCustomersPerSecond = whole.get('@marcbachmann/cel-js')!;
  console.log(`
ratios: ours/closure ${(oursSingleOps / closureOps).toFixed(2)} (goal >= 0.5), ours/${bestPeer} ${(oursSingleOps / bestPeerOps).toFixed(1)}x (goal >= 5x), whole customer ours/cel-js ${(customersPerSecond / celCustomersPerSecond).toFixed(1)}x (goal >= 10x), ${customersPerSecond.toFixed(0)} customers/s (goal >= 10,000)`);
  if (disagreements > 0) process.exitCode = 1;
  console.log(
    JSON.stringify({
      bench: 'rules',
      single_meps: Number((oursSingleOps / 1e6).toFixed(3)),
      closure_meps: Number((closureOps / 1e6).toFixed(3)),
      best_peer: bestPeer,
      best_peer_meps: Number((bestPeerOps / 1e6).toFixed(3)),
      customers_per_s: Math.round(customersPerSecond),
      cel_customers_per_s: Math.round(celCustomersPerSecond),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
