/**
 * snoop-scheduler's public face for local runs and tooling (`@backbone/snoop-scheduler/local`): the customer store's
 * migrations and seed, the rules engine's processes behind one address (as the load balancer makes them), npm
 * start's demo, and what tests and the benchmark need to drive the engine (the run fence).
 */
import path from 'node:path';
import { loadConfig } from '@backbone/shared';
import type { LocalContext, LocalServiceFace } from '@backbone/shared/local';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { migrateCustomerStore, seedCustomerStore } from '../src/adapters/customer-store';
import { demoSnoopScheduler } from './demo';
import { startLocalEngine, type LocalEngine } from './engine';
export { functionEnvironment } from './function-environment';

export {
  customerId,
  migrateCustomerStore,
  pageEligibleCustomers,
  readCustomers,
  seedCustomerStore,
} from '../src/adapters/customer-store';
export { FENCE_KEY, moveRunFence } from '../src/adapters/dynamodb-snoop-results';
export { listRuns, readRun } from '../src/adapters/dynamodb-runs';
export { runComplete, type RunRecord } from '../src/domain/nightly-run';
export { createQueueEligibleCustomersHandler } from '../src/functions/queue-eligible-customers/handler';
export { wireQueueEligibleCustomers } from '../src/functions/queue-eligible-customers/wiring';
export { DEFAULT_FENCE_TIMINGS } from '../engine/domain/run-fence';
export { publishRuleSetLocally } from './rule-sets';
export { ENGINE_PORT, startLocalEngine, type EngineInstance, type LocalEngine } from './engine';

/** The engine processes' environment for a local run: the local cloud, the stage's tables and PgBouncer. */
export async function engineEnvironment(context: Pick<LocalContext, 'env' | 'serverless'>) {
  const { custom } = await context.serverless();
  const names = custom['names'] as Record<string, string>;
  const engine = custom['engine'] as Record<string, string>;
  return {
    ...context.env,
    // Through the SQL relay (PgBouncer here, RDS Proxy in AWS), as the containers connect.
    PGPORT: context.env['PG_PROXY_PORT'] ?? context.env['PGPORT'],
    PG_POOL_MAX: engine['poolSize'],
    RULE_SETS_TABLE: names['ruleSetsTable'],
    SNOOP_RESULTS_TABLE: names['snoopResultsTable'],
    SNOOP_RUNS_TABLE: names['snoopRunsTable'],
    RULES_REFRESH_SECRET: engine['refreshSecret'],
    ENGINE_CURRENCY: engine['currency'],
    POWERTOOLS_SERVICE_NAME: 'snoop-scheduler',
  };
}

/** The command-line tool (start a run, its status); run it with the environment from functionEnvironment. */
export const CLI = path.join(__dirname, '..', 'src', 'cli.ts');

/** The refresh secret of a local run (the stage's settings). */
export async function localRefreshSecret(context: Pick<LocalContext, 'serverless'>): Promise<string> {
  const { custom } = await context.serverless();
  return (custom['engine'] as Record<string, string>)['refreshSecret']!;
}

/** What npm start loads: thousands of customers, hundreds of transactions each (about 400,000 rows). */
export const SEED_CUSTOMERS = { customers: 2_000, transactionsPerCustomer: 200 };

export const localService: LocalServiceFace = {
  kind: 'lambdas-and-container',
  async migrate(context) {
    // Straight to PostgreSQL, not through PgBouncer: the migration runner holds a session lock.
    const applied = await migrateCustomerStore(loadConfig(postgresEnvironmentSchema, context.env, 'customer store'));
    return [`PostgreSQL customer_store: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`];
  },
  async seed(context) {
    const pool = createPostgresPool(loadConfig(postgresEnvironmentSchema, context.env, 'customer store'));
    try {
      const began = Date.now();
      await seedCustomerStore(pool, SEED_CUSTOMERS);
      return [
        `PostgreSQL customer_store: ${SEED_CUSTOMERS.customers} customers, ${SEED_CUSTOMERS.transactionsPerCustomer} ` +
          `transactions each, in ${((Date.now() - began) / 1000).toFixed(1)} s`,
      ];
    } finally {
      await pool.end();
    }
  },
  async start(context) {
    const engine: LocalEngine = await startLocalEngine({ env: await engineEnvironment(context), log: context.log });
    return [{ name: 'rules engine', url: engine.url, stop: () => engine.stop() }];
  },
  demo: demoSnoopScheduler,
  // Shows what rules-ingestion's demo published.
  demoAfter: ['rules-ingestion'],
};
