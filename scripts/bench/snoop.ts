/**
 * npm run bench:snoop — a whole night end to end, locally: from the schedule's trigger (the customer step's handler,
 * with the local stage's clients) through the eligible-customers queue, the rule step and the customer-rules FIFO
 * queue (both in serverless-offline), the invoke step and the rules engine's two processes, to the last DynamoDB
 * write: over 2,000 eligible customers, every active snoop of the seed catalogue. Prints the CPU each component spends per
 * evaluation, and the time to queue the customers.
 *
 * Needs the local engine's and snoop-scheduler's ports free (no npm start running). Last line: one JSON object.
 */
import { awsClientSettings, awsEnvironmentSchema, createDocumentClient, loadConfig } from '@backbone/shared';
import { formatTable } from '@backbone/shared/local';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { printRuleFile, storedSnoopSchema, toSnoopDefinition } from '@backbone/rules-language';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';
import {
  createQueueEligibleCustomersHandler,
  engineEnvironment,
  functionEnvironment,
  migrateCustomerStore,
  publishRuleSetLocally,
  readRun,
  runComplete,
  SEED_CUSTOMERS,
  seedCustomerStore,
  startLocalEngine,
  wireQueueEligibleCustomers,
  type LocalEngine,
} from '@backbone/snoop-scheduler/local';
import { up } from '../cloud';
import { provision } from '../provision';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { startServices, type OfflineFleet } from '../local-cloud/offline';
import { readPid } from '../local-cloud/processes';
import { findService, localContext } from '../local-cloud/services';
import { startCpuBudget, totalCpuSeconds, type CpuProcess } from './cpu-budget';

const SERVICE = 'snoop-scheduler';

async function main(): Promise<void> {
  applyLocalEnvironment();
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  console.log(`snoop benchmark: Node ${process.version}\n`);
  await up();
  // The rules bucket the engine loads from belongs to rules-ingestion: provisioned too, so a fresh cloud is enough.
  const service = findService(SERVICE);
  await provision('local', [findService('rules-ingestion'), service]);
  const context = localContext(service, 'local', () => undefined);
  const names = (await context.serverless()).custom['names'] as Record<string, string>;
  const pgEnv = loadConfig(postgresEnvironmentSchema);
  await migrateCustomerStore(pgEnv);
  const pool = createPostgresPool(pgEnv);
  // npm start's seed, with enough customers that at least 2,000 are eligible (97 % are).
  await seedCustomerStore(pool, { ...SEED_CUSTOMERS, customers: 2_100 });
  const eligible = Number(
    (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_store.customers WHERE eligible')).rows[0]!
      .n,
  );
  await pool.end();

  const seed = seedCatalogue().map((row) => toSnoopDefinition(storedSnoopSchema.parse(row)));
  const rules = seed.filter((d) => d.status === 'active').length;
  await publishRuleSetLocally(process.env, {
    ruleSetsTable: names['ruleSetsTable']!,
    bucket: names['rulesBucket']!,
    text: printRuleFile(seed),
  });

  let engine: LocalEngine | undefined;
  let fleet: OfflineFleet | undefined;
  try {
    // The engine's processes load the active rule set as they start; the rule step in serverless-offline reads it too.
    engine = await startLocalEngine({ env: await engineEnvironment(context), log: (line) => console.log(`  ${line}`) });
    await engine.ready(30_000);
    fleet = await startServices([SERVICE], { output: 'file' });
    const documents = createDocumentClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
    const queueCustomers = createQueueEligibleCustomersHandler(
      wireQueueEligibleCustomers(await functionEnvironment(context)),
    );

    const processes: CpuProcess[] = [
      ...engine.instances.map((instance) => ({ component: 'rules engine (2 processes)', pid: instance.pid() })),
      {
        component: 'rule and invoke Lambdas (serverless-offline)',
        pid: fleet.services[0]?.process.pid,
        children: true,
      },
      { component: 'ElasticMQ', pid: readPid('elasticmq') },
      { component: 'DynamoDB Local', pid: readPid('dynamodb') },
      { component: 'gateway (port 4566)', pid: readPid('gateway') },
      { component: 'PostgreSQL (server and backends)', pid: readPid('postgres'), children: true },
      { component: 'PgBouncer', pid: readPid('pgbouncer'), children: true },
      { component: 'this process (customer step, load balancer)', pid: process.pid },
    ];
    const runId = `bench-${Date.now().toString(36)}`;
    console.log(`\na night: ${eligible} eligible customers x ${rules} snoops = ${eligible * rules} evaluations`);
    const stop = startCpuBudget(processes);
    const began = performance.now();
    const queued = await queueCustomers({ runId }, { getRemainingTimeInMillis: () => 15 * 60_000 });
    const queuedSeconds = (performance.now() - began) / 1000;
    console.log(`  customer step: ${queued.queued} customers queued in ${queuedSeconds.toFixed(1)} s`);
    let run = (await readRun(documents, names['snoopRunsTable']!, runId))!;
    let lastReport = 0;
    while (!runComplete(run)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      run = (await readRun(documents, names['snoopRunsTable']!, runId))!;
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        const share = (run.customersScored + run.customersFailed) / Math.max(1, run.queued);
        console.log(`  ${(share * 100).toFixed(0).padStart(3)} %  ${run.evaluations} evaluations written`);
      }
    }
    const seconds = (performance.now() - began) / 1000;
    const cpu = stop();
    const evaluations = run.evaluations;
    console.log(
      `  complete: ${evaluations} evaluations in ${seconds.toFixed(1)} s, ${run.customersFailed} customers failed`,
    );

    console.log('\nCPU per evaluation (microseconds of CPU, all threads), by component:');
    for (const line of formatTable([
      ['component', 'us per evaluation'],
      ...[...cpu.seconds.entries()].map(([component, s]) => [component, ((s / evaluations) * 1e6).toFixed(1)]),
      ['cores busy (total CPU / wall)', (totalCpuSeconds(cpu) / cpu.wallSeconds).toFixed(2)],
    ]))
      console.log(`  ${line}`);
    console.log('');
    for (const line of formatTable([
      ['measure', 'value', 'goal'],
      ['evaluations/s end to end', (evaluations / seconds).toFixed(0), '>= 3,300'],
      ['customers', String(run.queued), '>= 2,000 seeded'],
      ['snoops', String(rules), ''],
      ['seconds, trigger to the last write', seconds.toFixed(1), ''],
    ]))
      console.log(line);
    console.log(
      JSON.stringify({
        bench: 'snoop',
        e2e_eps: Math.round(evaluations / seconds),
        customers: run.queued,
        rules,
        seconds: Math.round(seconds * 10) / 10,
      }),
    );
    if (run.customersFailed > 0) process.exitCode = 1;
  } finally {
    await fleet?.stop();
    await engine?.stop();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
