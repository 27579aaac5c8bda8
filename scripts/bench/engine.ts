/**
 * npm run bench:engine — the rules engine over HTTP, on the real path: two engine processes (the container's
 * command) behind the local load balancer, customers read through PgBouncer from PostgreSQL, results written to
 * DynamoDB Local through the AWS gateway. In tables of its own (dropped afterwards), so no local run is disturbed.
 *
 * (a) evaluations/s over HTTP with the seed catalogue, p50/p99 request latency (10 customers a request, as the
 *     invoke Lambda's SQS batch holds, 8 requests in flight);
 * (b) CPU per evaluation of each process (from /proc): the engine's own, and every other component's; and the engine's
 *     own when it is what is saturated (two more processes whose result writes a stand-in accepts at once): DynamoDB
 *     Local is slower than the engine, and a process that waits between answers spends more per evaluation;
 * (c) the raw ceilings, in the same run: DynamoDB Local's BatchWriteItem items/s alone (the engine's item shape,
 *     25 a call, same client path) and PostgreSQL's customer reads/s alone (the engine's query, through PgBouncer);
 * (d) a generated catalogue of 1,000 snoops: the time to load and swap it in on both processes, then
 *     evaluations/s and p99 over HTTP with it.
 *
 * Last line: one JSON object.
 */
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createDynamoDbClient,
  loadConfig,
  signatureHeaders,
} from '@backbone/shared';
import { formatTable } from '@backbone/shared/local';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { printRuleFile, storedSnoopSchema, toSnoopDefinition, type SnoopDefinition } from '@backbone/rules-language';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';
import {
  customerId,
  migrateCustomerStore,
  moveRunFence,
  publishRuleSetLocally,
  readCustomers,
  SEED_CUSTOMERS,
  seedCustomerStore,
  startLocalEngine,
  type LocalEngine,
} from '@backbone/snoop-scheduler/local';
import { up } from '../cloud';
import { provision } from '../provision';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { readPid } from '../local-cloud/processes';
import { findService, resolveService } from '../local-cloud/services';
import { startResultsSink } from './dynamodb-results-sink';
import { startCpuBudget, totalCpuSeconds, type CpuBudget, type CpuProcess } from './cpu-budget';

const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 8_000);
const IN_FLIGHT = 8;
const CUSTOMERS_PER_REQUEST = 10;
const PORT = 4620;
/** The capacity phase's own engine processes (and their load balancer). */
const CAPACITY_PORT = 4630;
const SECRET = 'bench-engine-refresh-secret';
const ON = new Date().toISOString().slice(0, 10);
const ENGINE = 'rules engine (2 processes)';

interface Measured {
  requests: number;
  evaluations: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpu: CpuBudget;
}

const percentile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Runs `op` with IN_FLIGHT in flight for `ms`, each call worth the units it returns, measuring CPU meanwhile. */
async function measure(
  label: string,
  op: (i: number) => Promise<number>,
  processes: readonly CpuProcess[],
  ms = PHASE_MS,
): Promise<Measured> {
  let i = 0;
  const warmUntil = performance.now() + 2_000;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < warmUntil) await op(i++);
    }),
  );
  const latencies: number[] = [];
  let units = 0;
  const stop = startCpuBudget(processes);
  const began = performance.now();
  const until = began + ms;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        // Awaited before adding: "units += await op()" would read units before the await and lose other workers' adds.
        const done = await op(i++);
        units += done;
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  const cpu = stop();
  latencies.sort((a, b) => a - b);
  const result = {
    requests: latencies.length,
    evaluations: units,
    perSecond: units / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpu,
  };
  console.log(
    `  ${label}: ${result.perSecond.toFixed(0)}/s, requests p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms ` +
      `(${result.requests} requests in ${seconds.toFixed(1)} s)`,
  );
  return result;
}

/** 1,000 snoops of the seed's kinds: each a seed snoop with its thresholds moved, so that each is its own rule. */
function generatedCatalogue(seed: readonly SnoopDefinition[], count: number): SnoopDefinition[] {
  const active = seed.filter((d) => d.status === 'active');
  return Array.from({ length: count }, (_, k) => {
    const base = active[k % active.length]!;
    const factor = 0.5 + (k % 20) / 10;
    // Thresholds only (a number after a comparison), never a window (t.daysAgo <= N).
    const when = base.when.replace(
      /(daysAgo )?([<>]=?) (\d+(?:\.\d+)?)/g,
      (match, window: string | undefined, op: string, n: string) =>
        window ? match : `${op} ${(Number(n) * factor).toFixed(1)}`,
    );
    return { ...base, id: `${base.id}-${k}`.slice(0, 64), when, validTo: undefined };
  });
}

async function main(): Promise<void> {
  applyLocalEnvironment();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  console.log(
    `engine benchmark: Node ${process.version}, ${IN_FLIGHT} requests in flight, ${PHASE_MS / 1000} s per measure\n`,
  );
  await up();
  // The rules bucket the engine loads from belongs to rules-ingestion: provisioned too, so a fresh cloud is enough.
  const service = findService('snoop-scheduler');
  await provision('local', [findService('rules-ingestion'), service]);
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  const dynamodb = createDynamoDbClient(aws);
  const documents = createDocumentClient(aws);
  const pgEnv = loadConfig(postgresEnvironmentSchema);
  await migrateCustomerStore(pgEnv);
  const direct = createPostgresPool(pgEnv);
  const seeded = performance.now();
  if (!process.env.BENCH_NO_SEED) await seedCustomerStore(direct, SEED_CUSTOMERS);
  await direct.end();
  console.log(
    `customer store: ${SEED_CUSTOMERS.customers} customers x ${SEED_CUSTOMERS.transactionsPerCustomer} transactions ` +
      `(seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s)`,
  );

  const suffix = Date.now().toString(36);
  const tables = {
    ruleSets: `bench-engine-rule-sets-${suffix}`,
    runs: `bench-engine-runs-${suffix}`,
    results: `bench-engine-results-${suffix}`,
  };
  await Promise.all([
    ...[tables.ruleSets, tables.runs].map((TableName) =>
      dynamodb.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      ),
    ),
    dynamodb.send(
      new CreateTableCommand({
        TableName: tables.results,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'customerId', AttributeType: 'S' },
          { AttributeName: 'ruleId', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'customerId', KeyType: 'HASH' },
          { AttributeName: 'ruleId', KeyType: 'RANGE' },
        ],
      }),
    ),
  ]);
  const bucket = ((await resolveService('snoop-scheduler', 'local')).custom['names'] as Record<string, string>)[
    'rulesBucket'
  ]!;
  const seed = seedCatalogue().map((row) => toSnoopDefinition(storedSnoopSchema.parse(row)));
  const seedText = printRuleFile(seed);
  await publishRuleSetLocally(process.env, { ruleSetsTable: tables.ruleSets, bucket, text: seedText });
  const activeSeed = seed.filter((d) => d.status === 'active').length;

  const env = {
    ...process.env,
    PGPORT: process.env['PG_PROXY_PORT'],
    PG_POOL_MAX: '10',
    RULE_SETS_TABLE: tables.ruleSets,
    SNOOP_RESULTS_TABLE: tables.results,
    SNOOP_RUNS_TABLE: tables.runs,
    RULES_REFRESH_SECRET: SECRET,
  };
  let engine: LocalEngine | undefined;
  const pooled = createPostgresPool({ ...pgEnv, PGPORT: Number(process.env['PG_PROXY_PORT']), PG_POOL_MAX: 10 });
  try {
    engine = await startLocalEngine({ env, port: PORT, instances: 2, log: (line) => console.log(`  ${line}`) });
    await engine.ready(30_000);
    const runId = `bench-${suffix}`;
    await moveRunFence(documents, tables.runs, { runId, startedAt: new Date().toISOString() });
    const url = engine.url;
    let nextCustomer = 0;
    const batch = (size: number) =>
      Array.from({ length: size }, () => ({ customerId: customerId((nextCustomer++ % SEED_CUSTOMERS.customers) + 1) }));
    const evaluate =
      (size: number, dryRun = false, at = url) =>
      async (): Promise<number> => {
        // Signed as the invoke step signs: the signature's cost is part of what is measured.
        const request = JSON.stringify(
          dryRun ? { dryRun, on: ON, customers: batch(size) } : { runId, on: ON, customers: batch(size) },
        );
        const response = await fetch(`${at}/evaluate`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...signatureHeaders(SECRET, { method: 'POST', path: '/evaluate', body: request }),
          },
          body: request,
        });
        const body = (await response.json()) as { evaluated?: number; written?: number; error?: string };
        if (response.status !== 200 || (!dryRun && body.written !== body.evaluated))
          throw new Error(
            `the engine answered ${response.status}: ${body.error ?? JSON.stringify(body).slice(0, 200)}`,
          );
        return body.evaluated!;
      };
    const pids = engine.instances.map((instance) => instance.pid());
    const processes: CpuProcess[] = [
      ...pids.map((pid) => ({ component: ENGINE, pid })),
      { component: 'PostgreSQL (server and backends)', pid: readPid('postgres'), children: true },
      { component: 'PgBouncer', pid: readPid('pgbouncer'), children: true },
      { component: 'DynamoDB Local', pid: readPid('dynamodb') },
      { component: 'gateway (port 4566)', pid: readPid('gateway') },
      { component: 'this process (client, local load balancer)', pid: process.pid },
    ];

    console.log(
      `\n(a, b) over HTTP: the seed catalogue (${activeSeed} active snoops), ${CUSTOMERS_PER_REQUEST} customers a request`,
    );
    const seedRun = await measure('evaluations', evaluate(CUSTOMERS_PER_REQUEST), processes);

    // The same requests as dry runs: read, score, explain and answer with every result, no DynamoDB write. What the
    // engine costs apart from writing one item per evaluation.
    console.log('\n(b) the same without writing (dry runs: read, score, explain, answer every result)');
    const dryRun = await measure('evaluations', evaluate(CUSTOMERS_PER_REQUEST, true), processes, PHASE_MS / 2);

    // (b) again, with the engine as what is saturated: two more engine processes whose result writes go to a stand-in
    // that accepts them at once (dynamodb-results-sink.ts), everything else as above. What a busy task costs per
    // evaluation; on the real path the engine waits on DynamoDB Local between answers.
    console.log('\n(b) at capacity: the same requests, results accepted at once by a DynamoDB stand-in');
    const sink = await startResultsSink(process.env['AWS_ENDPOINT_URL']!, tables.results);
    const busy = await startLocalEngine({
      env: { ...env, AWS_ENDPOINT_URL_DYNAMODB: sink.url },
      port: CAPACITY_PORT,
      instances: 2,
      log: (line) => console.log(`  ${line}`),
    });
    let capacityRun: Measured;
    try {
      await busy.ready(30_000);
      const busyProcesses: CpuProcess[] = [
        ...busy.instances.map((instance) => ({ component: ENGINE, pid: instance.pid() })),
        ...processes.filter((p) => p.component !== ENGINE),
      ];
      const before = sink.items();
      capacityRun = await measure(
        'evaluations',
        evaluate(CUSTOMERS_PER_REQUEST, false, busy.url),
        busyProcesses,
        PHASE_MS / 2,
      );
      console.log(`  the stand-in accepted ${(sink.items() - before).toLocaleString('en')} result items meanwhile`);
    } finally {
      await busy.stop();
      await sink.close();
    }

    console.log('\n(c) raw ceilings, alone');
    const item = (i: number) => ({
      customerId: customerId((i % SEED_CUSTOMERS.customers) + 1),
      ruleId: `raw-${i % 97}`,
      qualified: i % 3 === 0,
      score: 0.5,
      explanation: 'spent 312.40 GBP on eating-out in the last 30 days, more than 200',
      rulesVersion: 'a'.repeat(64),
      runId,
      evaluatedAt: new Date().toISOString(),
      expiresAt: 1_900_000_000,
    });
    const rawWrites = await measure(
      'DynamoDB BatchWriteItem items',
      async (i) => {
        const out = await documents.send(
          new BatchWriteCommand({
            RequestItems: {
              [tables.results]: Array.from({ length: 25 }, (_, k) => ({ PutRequest: { Item: item(i * 25 + k) } })),
            },
          }),
        );
        return 25 - (out.UnprocessedItems?.[tables.results]?.length ?? 0);
      },
      processes,
      PHASE_MS / 2,
    );
    const rawReads = await measure(
      'PostgreSQL customer reads (through PgBouncer)',
      async () => {
        const ids = batch(CUSTOMERS_PER_REQUEST).map((c) => c.customerId);
        return (await readCustomers(pooled, ids, { asOf: new Date(`${ON}T00:00:00Z`), windowDays: 121 })).size;
      },
      processes,
      PHASE_MS / 2,
    );

    console.log('\n(d) a generated catalogue of 1,000 snoops');
    const thousand = printRuleFile(generatedCatalogue(seed, 1_000));
    const published = await publishRuleSetLocally(process.env, {
      ruleSetsTable: tables.ruleSets,
      bucket,
      text: thousand,
    });
    const swaps = await Promise.all(
      engine.instances.map(async (instance) => {
        const began = performance.now();
        const response = await fetch(`${instance.url}/rules/refresh`, {
          method: 'POST',
          headers: signatureHeaders(SECRET, { method: 'POST', path: '/rules/refresh', body: '' }),
        });
        const body = (await response.json()) as { ok: boolean; version?: string; loadMs?: number; reason?: string };
        if (!body.ok || body.version !== published.ruleSetVersion) throw new Error(`the swap failed: ${body.reason}`);
        return { wallMs: performance.now() - began, loadMs: body.loadMs! };
      }),
    );
    const swapMs = Math.max(...swaps.map((s) => s.wallMs));
    console.log(
      `  loaded, checked, compiled and swapped in on both processes at once: ${swapMs.toFixed(0)} ms ` +
        `(each process's own load: ${swaps.map((s) => `${s.loadMs.toFixed(0)} ms`).join(', ')})`,
    );
    const thousandRun = await measure('evaluations, 1,000 snoops, 1 customer a request', evaluate(1), processes);

    const engineSeconds = (m: Measured) => m.cpu.seconds.get(ENGINE) ?? NaN;
    const usPerEval = (m: Measured) => (engineSeconds(m) / m.evaluations) * 1e6;
    console.log('\nCPU per evaluation (microseconds of CPU, all threads), by component:');
    const components = [...new Set(processes.map((p) => p.component))];
    for (const line of formatTable([
      ['component', 'seed catalogue', '1,000 snoops'],
      ...components.map((c) => [
        c,
        (((seedRun.cpu.seconds.get(c) ?? NaN) / seedRun.evaluations) * 1e6).toFixed(1),
        (((thousandRun.cpu.seconds.get(c) ?? NaN) / thousandRun.evaluations) * 1e6).toFixed(1),
      ]),
      [
        'cores busy (total CPU / wall)',
        (totalCpuSeconds(seedRun.cpu) / seedRun.cpu.wallSeconds).toFixed(2),
        (totalCpuSeconds(thousandRun.cpu) / thousandRun.cpu.wallSeconds).toFixed(2),
      ],
    ]))
      console.log(`  ${line}`);

    console.log('');
    for (const line of formatTable([
      ['measure', 'value', 'goal'],
      ['evaluations/s over HTTP (seed catalogue)', seedRun.perSecond.toFixed(0), '>= 3,300'],
      ['request p50 / p99 (10 customers)', `${seedRun.p50.toFixed(1)} / ${seedRun.p99.toFixed(1)} ms`, ''],
      [
        "engine's own CPU per evaluation, busy (results accepted at once)",
        `${usPerEval(capacityRun).toFixed(1)} us`,
        '<= 20 us',
      ],
      ['  evaluations/s over HTTP, busy', capacityRun.perSecond.toFixed(0), ''],
      ['  of which scoring (dry runs: read, score, explain, answer)', `${usPerEval(dryRun).toFixed(1)} us`, ''],
      ["engine's own CPU per evaluation, waiting on DynamoDB Local", `${usPerEval(seedRun).toFixed(1)} us`, ''],
      ['evaluations/s over HTTP, dry runs', dryRun.perSecond.toFixed(0), ''],
      ['DynamoDB Local BatchWriteItem items/s, alone', rawWrites.perSecond.toFixed(0), ''],
      ['engine evaluations/s / raw items/s', (seedRun.perSecond / rawWrites.perSecond).toFixed(2), ''],
      ['PostgreSQL customers read/s through PgBouncer, alone', rawReads.perSecond.toFixed(0), ''],
      ['1,000 snoops: load and swap on both processes', `${swapMs.toFixed(0)} ms`, '< 2,000 ms'],
      ['1,000 snoops: evaluations/s over HTTP', thousandRun.perSecond.toFixed(0), ''],
      ['1,000 snoops: request p99 (1 customer)', `${thousandRun.p99.toFixed(1)} ms`, ''],
      ["1,000 snoops: engine's own CPU per evaluation", `${usPerEval(thousandRun).toFixed(1)} us`, ''],
    ]))
      console.log(line);
    const round = (n: number) => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({
        bench: 'engine',
        engine_http_eps: Math.round(seedRun.perSecond),
        engine_us_per_eval: round(usPerEval(capacityRun)),
        engine_us_per_eval_real_path: round(usPerEval(seedRun)),
        engine_busy_eps: Math.round(capacityRun.perSecond),
        engine_us_per_eval_dry_run: round(usPerEval(dryRun)),
        p99_ms: round(seedRun.p99),
        ddb_raw_items_per_s: Math.round(rawWrites.perSecond),
        pg_raw_customers_per_s: Math.round(rawReads.perSecond),
        rules: activeSeed,
        evals_per_s_1000: Math.round(thousandRun.perSecond),
        swap_ms_1000: Math.round(swapMs),
      }),
    );
  } finally {
    await engine?.stop();
    await pooled.end();
    await Promise.all(
      Object.values(tables).map((TableName) =>
        dynamodb.send(new DeleteTableCommand({ TableName })).catch(() => undefined),
      ),
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
