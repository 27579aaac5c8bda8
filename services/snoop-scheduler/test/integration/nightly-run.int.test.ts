/**
 * A night end to end: the customer step (its handler, with the local stage's clients) opens a run and queues every
 * eligible customer; the rule and invoke steps run in serverless-offline on the real queues; the engine's local
 * processes score and write to DynamoDB. One result per eligible customer and active snoop, once; the customer step
 * stopped half-way and started again skips no one and queues no one twice; the run again: the same count, newer.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientSettings, awsEnvironmentSchema, createDocumentClient, loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { functionIdentity, waitFor } from '@backbone/shared/testing';
import { seedCustomerStore } from '../../src/adapters/customer-store';
import { readRun } from '../../src/adapters/dynamodb-runs';
import { runComplete } from '../../src/domain/nightly-run';
import { createCheckNightlyRunHandler } from '../../src/functions/check-nightly-run/handler';
import { wireCheckNightlyRun } from '../../src/functions/check-nightly-run/wiring';
import { createQueueEligibleCustomersHandler } from '../../src/functions/queue-eligible-customers/handler';
import { wireQueueEligibleCustomers } from '../../src/functions/queue-eligible-customers/wiring';
import { ENGINE_PORT } from '../../local/engine';
import { publishRuleSetLocally } from '../../local/rule-sets';
import { LOCAL_ENGINE_PROCESSES, refreshEngine, storedResults } from './support';

// Names as serverless.yml declares them for the "local" stage.
const RULE_SETS_TABLE = 'snoop-scheduler-local-rule-sets';
const RESULTS_TABLE = 'snoop-scheduler-local-snoop-results';
const RUNS_TABLE = 'snoop-scheduler-local-snoop-runs';
const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';
const suffix = randomUUID().slice(0, 8);
const RULES = ['night-energy', 'night-groceries', 'night-saver'];
const RULE_FILE = [
  ['night-energy', 'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "energy").map(t, t.amount)) > 100.0'],
  ['night-groceries', 'size(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "groceries")) >= 3.0'],
  ['night-saver', 'balances.savings > 5000.0'],
]
  .map(
    ([id, when]) =>
      `snoop "${id}" { name: "${id}" status: active audience: "all-customers" content: "c" valid_from: "2026-01-01" ` +
      `version: 1 when: ${when} score: 0.5 }`,
  )
  .join('\n');

let documents: DynamoDBDocumentClient;
let pool: PostgresPool;
let eligible: string[];
let v1 = '';
const RUN_DIR = path.join(__dirname, '..', '..', '..', '..', '.local-cloud', 'run');
const env = (): Record<string, string | undefined> => ({
  ...process.env,
  SNOOP_RUNS_TABLE: RUNS_TABLE,
  RULE_SETS_TABLE,
  ELIGIBLE_CUSTOMERS_QUEUE_NAME: 'snoop-scheduler-local-eligible-customers',
  PG_POOL_MAX: '1',
});

beforeAll(async () => {
  documents = createDocumentClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  await seedCustomerStore(pool, { customers: 1_000, transactionsPerCustomer: 40 });
  eligible = (
    await pool.query<{ customer_id: string }>(
      'SELECT customer_id FROM customer_store.customers WHERE eligible ORDER BY customer_id',
    )
  ).rows.map((row) => row.customer_id);
  // Published and made active (as the rule-set-published Lambda does), and loaded by the engine's processes.
  const version = await publishRuleSetLocally(process.env, {
    ruleSetsTable: RULE_SETS_TABLE,
    bucket: BUCKET,
    text: RULE_FILE,
  });
  v1 = version.ruleSetVersion;
  for (const url of LOCAL_ENGINE_PROCESSES)
    expect((await refreshEngine(url, { version: v1 })).body).toMatchObject({ ok: true, version: v1 });
}, 120_000);

afterAll(async () => {
  await pool?.end();
  documents?.destroy();
});

const results = (customerIds: readonly string[]) => storedResults(documents, RESULTS_TABLE, customerIds, RULES);

async function completeRun(runId: string) {
  const run = await waitFor(
    `run ${runId} to complete`,
    async () => {
      const found = await readRun(documents, RUNS_TABLE, runId);
      return found && runComplete(found) ? found : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
  const items = await results(eligible);
  return { run, items };
}

describe('a nightly run', () => {
  let first: Awaited<ReturnType<typeof completeRun>>;

  it('queues every eligible customer once, even when its customer step is stopped half-way and started again', async () => {
    const runId = `nightly-it-${suffix}-1`;
    const queueCustomers = createQueueEligibleCustomersHandler(
      wireQueueEligibleCustomers({ ...env(), ...functionIdentity('snoop-scheduler-local-queueEligibleCustomers') }),
    );
    // The first invocation has time for one page of 500, as if its time ran out; the next continues from the cursor.
    let asked = 0;
    const stopped = await queueCustomers({ runId }, { getRemainingTimeInMillis: () => (asked++ === 0 ? 15_001 : 0) });
    expect(stopped).toMatchObject({ runId, created: true, done: false, queuedNow: 500 });
    const resumed = await queueCustomers({ runId }, { getRemainingTimeInMillis: () => 600_000 });
    expect(resumed).toMatchObject({ runId, created: false, done: true, queued: eligible.length });
    expect(resumed.queuedNow).toBe(eligible.length - 500);
    // A third trigger the same night changes nothing.
    expect(await queueCustomers({ runId }, { getRemainingTimeInMillis: () => 600_000 })).toMatchObject({
      done: true,
      queuedNow: 0,
      queued: eligible.length,
    });

    first = await completeRun(runId);
    // Counted as the engine answers (a batch delivered twice would count twice; none is here).
    expect(first.run).toMatchObject({ queued: eligible.length, customersScored: eligible.length, customersFailed: 0 });
    expect(first.run.evaluations).toBe(eligible.length * RULES.length);
  });

  it('leaves exactly one result per eligible customer and active snoop, from the run, with what fired', () => {
    expect(first.items).toHaveLength(eligible.length * RULES.length);
    expect(first.items.filter((item) => item['runId'] !== `nightly-it-${suffix}-1`)).toEqual([]);
    const fired = first.items.filter((item) => item['qualified'] === true);
    expect(fired.length).toBeGreaterThan(0);
    for (const item of fired.slice(0, 20))
      expect(item['explanation']).toMatch(
        /GBP on energy in the last 30 days|transactions on groceries in the last 30 days|savings \d+\.\d\d GBP/,
      );
  });

  it('completes with nothing missing when an engine process is killed and a new version is swapped in mid-run', async () => {
    const runId = `nightly-it-${suffix}-killed`;
    const queueCustomers = createQueueEligibleCustomersHandler(
      wireQueueEligibleCustomers({ ...env(), ...functionIdentity('snoop-scheduler-local-queueEligibleCustomers') }),
    );
    const v2 = await publishRuleSetLocally(process.env, {
      ruleSetsTable: RULE_SETS_TABLE,
      bucket: BUCKET,
      text: RULE_FILE.replace('> 5000.0', '> 4000.0'),
      activate: false,
    });
    // One page of customers first (the invocation's time runs out after it), so that the run cannot finish on v1
    // before the swap, however fast the engines score on a given machine; the rest is queued once both serve v2.
    let asked = 0;
    const firstPage = await queueCustomers({ runId }, { getRemainingTimeInMillis: () => (asked++ === 0 ? 15_001 : 0) });
    expect(firstPage).toMatchObject({ done: false, queuedNow: 500 });
    // Once scoring is under way: one engine process dies (the local supervisor starts it again, as ECS replaces a
    // task, and the load balancer sends to the other meanwhile), and both are told to swap to v2.
    await waitFor('scoring under way', async () => {
      const run = await readRun(documents, RUNS_TABLE, runId);
      return run && run.customersScored > 0 ? run : undefined;
    });
    const pid = Number(readFileSync(path.join(RUN_DIR, `rules-engine-${ENGINE_PORT + 1}.pid`), 'utf8'));
    process.kill(pid, 'SIGKILL');
    for (const url of LOCAL_ENGINE_PROCESSES)
      await waitFor(`the engine at ${url} to take v2`, async () => {
        const answer = await refreshEngine(url, { version: v2.ruleSetVersion }).catch(() => undefined);
        return answer?.status === 200 ? true : undefined;
      });
    const rest = await queueCustomers({ runId }, { getRemainingTimeInMillis: () => 600_000 });
    expect(rest).toMatchObject({ done: true, queued: eligible.length });
    const { run, items } = await completeRun(runId);
    expect(run).toMatchObject({ queued: eligible.length, customersFailed: 0 });
    const mine = items.filter((item) => item['runId'] === runId);
    expect(mine).toHaveLength(eligible.length * RULES.length);
    // Every result names a version that was active during the run, and both served part of it.
    const versions = new Set(mine.map((item) => String(item['rulesVersion'])));
    expect([...versions].filter((v) => v !== v1 && v !== v2.ruleSetVersion)).toEqual([]);
    expect(versions.has(v2.ruleSetVersion)).toBe(true);
    expect(Number(readFileSync(path.join(RUN_DIR, `rules-engine-${ENGINE_PORT + 1}.pid`), 'utf8'))).not.toBe(pid);
  });

  it('run again: the same count, newer results', async () => {
    const runId = `nightly-it-${suffix}-2`;
    const queueCustomers = createQueueEligibleCustomersHandler(
      wireQueueEligibleCustomers({ ...env(), ...functionIdentity('snoop-scheduler-local-queueEligibleCustomers') }),
    );
    await queueCustomers({ runId }, { getRemainingTimeInMillis: () => 600_000 });
    const again = await completeRun(runId);
    expect(again.items).toHaveLength(first.items.length);
    const before = new Map(first.items.map((i) => [`${String(i['customerId'])}/${String(i['ruleId'])}`, i]));
    for (const item of again.items) {
      expect(item['runId']).toBe(runId);
      const old = before.get(`${String(item['customerId'])}/${String(item['ruleId'])}`)!;
      expect(String(item['evaluatedAt']) > String(old['evaluatedAt'])).toBe(true);
    }
  });

  it('the morning check reads the night’s run from the runs table and says a night without one is not complete', async () => {
    const deps = wireCheckNightlyRun({ ...env(), ...functionIdentity('snoop-scheduler-local-checkNightlyRun') });
    const check = createCheckNightlyRunHandler({ ...deps, now: () => new Date('2001-02-03T06:30:00Z') });
    await expect(check()).resolves.toMatchObject({
      complete: false,
      reason: 'no run was opened tonight (is the schedule enabled?)',
    });
  });
});
