/**
 * snoop-scheduler's public face for local runs and tooling (`@backbone/snoop-scheduler/local`). Today: npm
 * start's demo (the rule set rules-ingestion's demo published, activated). The rules engine's processes and
 * the customer store's migrations join here.
 */
import { loadConfig } from '@backbone/shared';
import type { LocalServiceFace } from '@backbone/shared/local';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { migrateCustomerStore, seedCustomerStore } from '../src/adapters/customer-store';
import { demoSnoopScheduler } from './demo';

export { customerId, migrateCustomerStore, readCustomers, seedCustomerStore } from '../src/adapters/customer-store';

/** What npm start loads: thousands of customers, hundreds of transactions each (about 400,000 rows). */
export const SEED_CUSTOMERS = { customers: 2_000, transactionsPerCustomer: 200 };

export const localService: LocalServiceFace = {
  kind: 'lambdas',
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
  demo: demoSnoopScheduler,
  // Shows what rules-ingestion's demo published.
  demoAfter: ['rules-ingestion'],
};
