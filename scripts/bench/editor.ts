/**
 * npm run bench:editor — the snoop editor's costs (issue 27):
 *   check_ms_p95   checking a 2 KB condition, as the page does on every keystroke (the language's `diagnose`, the very
 *                  code the page bundles), against a standard CEL type check of the same text (@marcbachmann/cel-js)
 *                  and GoRules' editor, which waits 750 ms after the last keystroke before it checks at all;
 *   impact_ms_p95  the impact preview of one changed snoop over 10,000 customers (the whole active catalogue run
 *                  before and after, the changed snoop reported);
 *   impact_all_ms  the impact of the whole catalogue changed, over the same customers.
 *   impact_request_ms_p95  the same question asked of the running system, as the page asks it: POST /impact-previews,
 *                  read until answered (rules-ingestion -> SQS -> snoop-scheduler reading the customer store ->
 *                  SQS -> rules-ingestion), over the local customer store; null when it is not running.
 *   approve_to_serving_ms_p95  from an approver's click to both engine processes serving the change, against the
 *                  system npm start runs (the editor's API, the outbox relay, the engines); null, and said, when it
 *                  is not running.
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
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { localSignIn } from '@backbone/dlq-console/local';
import { getJson } from '@backbone/snoop-scheduler/local/engine';
import { printTable } from '@backbone/shared/local';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10_000);
const CHECKS = Number(process.env.BENCH_CHECKS ?? 2_000);
const IMPACT_RUNS = Number(process.env.BENCH_IMPACT_RUNS ?? 5);
const GORULES_DEBOUNCE_MS = 750;
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 10);
const EDITOR_API = 'http://127.0.0.1:3040';
const ENGINES = ['http://127.0.0.1:4601', 'http://127.0.0.1:4602'];
const LOCAL_REFRESH_SECRET = 'local-rules-refresh-secret';

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

/**
 * Approval to serving, as a person sees it: a writer changes a snoop of the benchmark's own and submits it, an approver
 * approves it, and the clock runs until both engine processes serve the version that approval published.
 */
const PREVIEWS = Number(process.env.BENCH_PREVIEWS ?? 5);

/** The impact preview as the page asks for it, end to end; undefined when the system is not running. */
async function previewThroughTheSystem(): Promise<{ times: number[]; customers: number } | undefined> {
  const env = { ...process.env, LOCAL_CLOUD_DIR: process.env['LOCAL_CLOUD_DIR'] ?? path.resolve('.local-cloud') };
  const token = localSignIn(
    { email: 'bench.writer@example.com', groups: ['rules:read', 'rules:edit'], clientId: 'rules-editor-local' },
    env,
  );
  const call = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${EDITOR_API}${route}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { previewId: string; state: string; report?: { customers: number } };
  };
  try {
    await fetch(`${EDITOR_API}/editor`);
  } catch {
    return undefined;
  }
  const times: number[] = [];
  let customers = 0;
  for (let i = 1; i <= PREVIEWS; i++) {
    const start = Date.now();
    let answer = await call('POST', '/impact-previews', { snoopIds: ['energy-switch'] });
    while (answer.state === 'pending') {
      if (Date.now() - start > 60_000) throw new Error('no impact preview answered within 60 s: is npm start running?');
      await new Promise((resolve) => setTimeout(resolve, 25));
      answer = await call('GET', `/impact-previews/${answer.previewId}`);
    }
    if (answer.state !== 'computed') throw new Error(`the preview failed: ${JSON.stringify(answer)}`);
    times.push(Date.now() - start);
    customers = answer.report!.customers;
    console.error(`impact preview ${i} of ${PREVIEWS}: ${times.at(-1)} ms over ${customers} customers`);
  }
  return { times, customers };
}

async function approveToServing(): Promise<number[] | undefined> {
  // The local issuer's keys are under the local cloud's folder (this script runs bundled, from elsewhere).
  const env = { ...process.env, LOCAL_CLOUD_DIR: process.env['LOCAL_CLOUD_DIR'] ?? path.resolve('.local-cloud') };
  const token = (email: string, groups: string[]) =>
    localSignIn({ email, groups, clientId: 'rules-editor-local' }, env);
  const writer = token('bench.writer@example.com', ['rules:read', 'rules:edit']);
  const approver = token('bench.approver@example.com', ['rules:read', 'rules:approve']);
  const call = async (authorization: string, method: string, route: string, body?: unknown) => {
    const response = await fetch(`${EDITOR_API}${route}`, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const serving = () =>
    Promise.all(
      ENGINES.map(
        async (engine) =>
          ((await getJson(`${engine}/rules/version`, LOCAL_REFRESH_SECRET)).body as { serving?: { version: string } })
            .serving?.version,
      ),
    );
  try {
    await serving();
    await fetch(`${EDITOR_API}/editor`);
  } catch {
    return undefined;
  }
  const id = `bench-${randomUUID().slice(0, 8)}`;
  await call(writer, 'POST', '/snoops', {
    id,
    name: 'Benchmark: approval to serving',
    audience: 'all',
    contentRef: 'bench',
    validFrom: '2026-01-01',
    when: 'balances.savings < 100.0',
    score: '0.5',
  });
  const times: number[] = [];
  for (let i = 1; i <= APPROVALS; i++) {
    const changed = await call(writer, 'PUT', `/snoops/${id}`, {
      expectedVersion: i,
      changes: { when: `balances.savings < ${100 + i}.0` },
    });
    const review = await call(writer, 'POST', `/snoops/${id}/reviews`, {
      expectedVersion: (changed['snoop'] as { version: number }).version,
    });
    const before = (await serving())[0];
    const start = Date.now();
    await call(approver, 'POST', `/reviews/${String(review['reviewId'])}/decision`, { decision: 'approve' });
    for (;;) {
      const now = await serving();
      if (now[0] !== before && now.every((v) => v === now[0])) break;
      if (Date.now() - start > 30_000)
        throw new Error('no engine served the approval within 30 s: is the relay running?');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    times.push(Date.now() - start);
    console.error(`approval ${i} of ${APPROVALS}: ${times.at(-1)} ms`);
  }
  return times;
}

async function main(): Promise<void> {
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

  const previews = await previewThroughTheSystem();
  const approvals = await approveToServing();
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
    {
      measure: `impact preview asked of the running system (API, SQS, the customer store), p95 of ${PREVIEWS}`,
      value: previews
        ? `${percentile(previews.times, 95)} ms over ${previews.customers} customers`
        : 'not measured: npm start first',
    },
    {
      measure: `approval to both engines serving, p95 of ${APPROVALS} (the local relay polls every second)`,
      value: approvals
        ? `${percentile(approvals, 95)} ms (median ${percentile(approvals, 50)} ms)`
        : 'not measured: npm start first',
    },
  ]);
  console.log(
    JSON.stringify({
      check_ms_p95: Number(checkP95.toFixed(3)),
      check_vs_cel_js: Number((checkP95 / celP95).toFixed(2)),
      check_vs_gorules_wait: Number((checkP95 / GORULES_DEBOUNCE_MS).toFixed(5)),
      impact_ms_p95: Math.round(percentile(oneRuns, 95)),
      impact_all_ms: Math.round(allMs),
      impact_request_ms_p95: previews ? percentile(previews.times, 95) : null,
      impact_request_customers: previews ? previews.customers : null,
      approve_to_serving_ms_p95: approvals ? percentile(approvals, 95) : null,
      customers: CUSTOMERS,
      condition_characters: condition.length,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(`bench:editor: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
