/**
 * npm run bench:editor — the snoop editor's costs (issue 27):
 *   check_ms_p95   checking a 2 KB condition, as the page does on every keystroke (the language's `diagnose`, the very
 *                  code the page bundles), against a standard CEL type check of the same text (@marcbachmann/cel-js)
 *                  and GoRules' editor, which waits 750 ms after the last keystroke before it checks at all;
 *   impact_ms_p95  the impact preview of one changed snoop over 10,000 customers (the whole active catalogue run
 *                  before and after, the changed snoop reported);
 *   impact_all_ms  the impact of the whole catalogue changed, over the same customers.
 * Approval to serving (approve_to_serving_ms_p95) comes with the review and publish flow, not built yet.
 * Last line: one JSON object.
 */
import { Environment } from '@marcbachmann/cel-js';
import {
  compileRuleFile,
  diagnose,
  previewImpact,
  printRuleFile,
  storedSnoopSchema,
  toSnoopDefinition,
  type CompiledRuleSet,
  type ImpactCustomer,
  type SnoopDefinition,
} from '@backbone/rules-language';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { printTable } from '@backbone/shared/local';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 2_000);
const IMPACT_RUNS = Number(process.env.BENCH_IMPACT_RUNS ?? 5);
const GORULES_DEBOUNCE_MS = 750;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const timed = (run: () => unknown): number => {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
};

function compile(definitions: readonly SnoopDefinition[]): CompiledRuleSet {
  const outcome = compileRuleFile(printRuleFile(definitions), { currency: 'GBP' });
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
  return outcome.ruleSet;
}

/** Every number of a condition lowered by a fifth: a change that moves customers in or out. */
const lowered = (when: string): string => when.replace(/\d+\.\d+/g, (n) => (Number(n) * 0.8).toFixed(1));

function main(): void {
  const definitions = seedCatalogue()
    .map((row) => toSnoopDefinition(storedSnoopSchema.parse(row)))
    .filter((d) => d.status === 'active');

  // 1. Checking as you type: a condition of about 2 KB, made of the catalogue's own conditions.
  let condition = '';
  for (const d of definitions) {
    if (condition.length >= 2_000) break;
    condition = condition ? `${condition} || (${d.when})` : `(${d.when})`;
  }
  if (diagnose(condition, 'condition').length > 0) throw new Error('the benchmark condition has problems');
  const cel = new Environment({ unlistedVariablesAreDyn: true });
  const ours: number[] = [];
  const celChecks: number[] = [];
  for (let i = 0; i < CHECKS; i++) {
    // A keystroke changes the text: alternate a trailing space so that nothing is cached by identity.
    const text = i % 2 === 0 ? condition : `${condition} `;
    ours.push(timed(() => diagnose(text, 'condition')));
    celChecks.push(timed(() => cel.check(text)));
  }
  const checkP95 = percentile(ours, 95);
  const celP95 = percentile(celChecks, 95);

  // 2. Impact: 10,000 customers, the catalogue before and after one change, then after changing every snoop.
  const loadStart = Date.now();
  const customers: ImpactCustomer[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: `c-${i}`,
    facts: sampleCustomer(i, 120),
  }));
  const loadMs = Date.now() - loadStart;
  const before = compile(definitions);
  const changedId = definitions.find((d) => /\d+\.\d+/.test(d.when))!.id;
  const afterOne = compile(definitions.map((d) => (d.id === changedId ? { ...d, when: lowered(d.when) } : d)));
  const afterAll = compile(definitions.map((d) => ({ ...d, when: lowered(d.when) })));
  const on = '2026-11-30';
  const oneRuns: number[] = [];
  let oneReport;
  for (let i = 0; i < IMPACT_RUNS; i++)
    oneRuns.push(timed(() => (oneReport = previewImpact(before, afterOne, customers, { ids: [changedId], on }))));
  const allIds = definitions.map((d) => d.id);
  let allReport: ReturnType<typeof previewImpact> | undefined;
  const allMs = timed(() => (allReport = previewImpact(before, afterAll, customers, { ids: allIds, on })));
  const one = (oneReport as unknown as ReturnType<typeof previewImpact>).snoops[0]!;
  const moved = allReport!.snoops.reduce((n, s) => n + s.gained + s.lost, 0);

  printTable([
    { measure: `check a ${condition.length}-character condition (ours), p95`, value: `${checkP95.toFixed(3)} ms` },
    { measure: 'the same text type-checked by cel-js (dyn variables), p95', value: `${celP95.toFixed(3)} ms` },
    { measure: 'GoRules editor: wait before checking', value: `${GORULES_DEBOUNCE_MS} ms` },
    { measure: `make ${CUSTOMERS} sample customers (not timed below)`, value: `${loadMs} ms` },
    {
      measure: `impact of "${changedId}" changed, ${CUSTOMERS} customers, p95 of ${IMPACT_RUNS}`,
      value: `${percentile(oneRuns, 95).toFixed(0)} ms (gained ${one.gained}, lost ${one.lost})`,
    },
    {
      measure: `impact of all ${allIds.length} snoops changed, ${CUSTOMERS} customers`,
      value: `${allMs.toFixed(0)} ms (${moved} customer-snoop pairs moved)`,
    },
  ]);
  console.log(
    JSON.stringify({
      check_ms_p95: Number(checkP95.toFixed(3)),
      check_vs_cel_js: Number((checkP95 / celP95).toFixed(2)),
      check_vs_gorules_wait: Number((checkP95 / GORULES_DEBOUNCE_MS).toFixed(5)),
      impact_ms_p95: Math.round(percentile(oneRuns, 95)),
      impact_all_ms: Math.round(allMs),
      customers: CUSTOMERS,
      condition_characters: condition.length,
    }),
  );
}

main();
