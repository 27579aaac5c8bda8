/**
 * The customer store in the local PostgreSQL, read as the rules engine will read it: through PgBouncer (RDS Proxy in
 * AWS), many customers in one round trip, through the shared pool factory.
 */
import { loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { customerId, readCustomers, seedCustomerStore } from '../../src/adapters/customer-store';

// PgBouncer's local port (scripts/local-cloud/layout.ts): the services reach PostgreSQL through it as through RDS Proxy.
const PGBOUNCER_PORT = 6434;
const AS_OF = new Date('2026-11-30T00:00:00Z');
let direct: PostgresPool;
let pooled: PostgresPool;

beforeAll(async () => {
  const env = loadConfig(postgresEnvironmentSchema);
  direct = createPostgresPool(env);
  pooled = createPostgresPool({ ...env, PGPORT: PGBOUNCER_PORT, PG_POOL_MAX: 4 });
  await seedCustomerStore(direct, { customers: 300, transactionsPerCustomer: 120, asOf: AS_OF });
}, 60_000);

afterAll(async () => {
  await pooled?.end();
  await direct?.end();
});

describe('the customer store', () => {
  it('seeds the same synthetic customers every time, with their transactions over 90 days', async () => {
    const counts = async () =>
      (
        await direct.query<{ customers: number; transactions: number; categories: number }>(
          `SELECT count(DISTINCT c.customer_id)::int AS customers, count(*)::int AS transactions,
                  count(DISTINCT t.category)::int AS categories
           FROM customer_store.customers c JOIN customer_store.transactions t USING (customer_id)
           WHERE c.customer_id <= $1`,
          [customerId(300)],
        )
      ).rows[0];
    const first = await counts();
    expect(first).toEqual({ customers: 300, transactions: 300 * 120, categories: 10 });
    const before = await readCustomers(direct, [customerId(7)], { asOf: AS_OF, windowDays: 90 });
    await seedCustomerStore(direct, { customers: 300, transactionsPerCustomer: 120, asOf: AS_OF });
    expect(await counts()).toEqual(first);
    expect(await readCustomers(direct, [customerId(7)], { asOf: AS_OF, windowDays: 90 })).toEqual(before);
  });

  it('reads many customers in one round trip through PgBouncer, each with the window of transactions asked for', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => customerId(i + 1));
    const query = jest.spyOn(pooled, 'query');
    const customers = await readCustomers(pooled, [...ids, 'cust-not-there'], { asOf: AS_OF, windowDays: 30 });
    expect(query).toHaveBeenCalledTimes(1);
    query.mockRestore();
    expect([...customers.keys()].sort()).toEqual(ids);
    const one = customers.get(customerId(1))!;
    expect(one.profile.age).toBeGreaterThanOrEqual(18);
    expect(one.salary.daysUntilPayday).toBeGreaterThanOrEqual(0);
    expect(one.transactions.length).toBeGreaterThan(0);
    expect(one.transactions.every((t) => t.daysAgo >= 0 && t.daysAgo < 30 && t.amount > 0)).toBe(true);
    // The whole window: about a third of the 90 days' transactions fall in the last 30.
    const wide = await readCustomers(pooled, [customerId(1)], { asOf: AS_OF, windowDays: 90 });
    expect(wide.get(customerId(1))!.transactions).toHaveLength(120);
  });
});
