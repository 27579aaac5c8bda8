/**
 * The customer store (PostgreSQL schema customer_store; Aurora through RDS Proxy in AWS, PgBouncer locally): its
 * migrations, a seed of realistic synthetic customers, and the rules engine's read of many customers in one round
 * trip.
 */
import path from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CustomerFacts, Transaction } from '@backbone/rules-language';
import type { PostgresEnvironment, PostgresPool } from '@backbone/shared/postgres';
import { migratePostgres } from '@backbone/shared/postgres/migrations';

export const CUSTOMER_STORE_SCHEMA = 'customer_store';
const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'migrations');

/**
 * Applies the customer store's migrations, in its own schema with its own migrations table; `dir` where a bundle has
 * them, `secrets` when the password is in Secrets Manager (AWS).
 */
export const migrateCustomerStore = (
  env: PostgresEnvironment,
  options: { dir?: string; secrets?: SecretsManagerClient } = {},
): Promise<string[]> =>
  migratePostgres(env, { dir: options.dir ?? MIGRATIONS_DIR, schema: CUSTOMER_STORE_SCHEMA, secrets: options.secrets });

/**
 * Synthetic customers `cust-000001` ... with `transactionsPerCustomer` transactions each over the last 90 days:
 * salaries in, groceries, energy, subscriptions, eating out, transport, rent, bank charges, gambling and shopping
 * out, each customer with their own habits. Generated inside PostgreSQL from a fixed seed (the same data every
 * time), in one statement per table; idempotent (existing customers are replaced).
 */
export async function seedCustomerStore(
  pool: PostgresPool,
  options: { customers: number; transactionsPerCustomer: number; asOf?: Date },
): Promise<void> {
  const asOf = (options.asOf ?? new Date()).toISOString().slice(0, 10);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT setseed(0.42)');
    await client.query(
      `DELETE FROM ${CUSTOMER_STORE_SCHEMA}.customers WHERE customer_id LIKE 'cust-%' AND customer_id <= $1`,
      [customerId(options.customers)],
    );
    await client.query(
      `INSERT INTO ${CUSTOMER_STORE_SCHEMA}.customers
       SELECT 'cust-' || lpad(n::text, 6, '0'),
              $2::date - (18 * 365 + floor(random() * 50 * 365))::int,
              $2::date - floor(random() * 8 * 365)::int,
              (ARRAY['London', 'North West', 'Scotland', 'Wales', 'South East', 'Midlands'])[1 + floor(random() * 6)::int],
              (ARRAY['employed', 'employed', 'employed', 'self-employed', 'student', 'retired'])[1 + floor(random() * 6)::int],
              300 + floor(random() * 600)::int,
              random() < 0.35,
              random() < 0.5,
              round((random() * 4000 - 500)::numeric, 2),
              round((random() * 10000)::numeric, 2),
              500,
              round((random() * 500)::numeric, 2),
              round((random() * 3000)::numeric, 2),
              round((1200 + random() * 3000)::numeric, 2),
              1 + floor(random() * 28)::int,
              random() < 0.97
       FROM generate_series(1, $1) AS n`,
      [options.customers, asOf],
    );
    await client.query(
      `INSERT INTO ${CUSTOMER_STORE_SCHEMA}.transactions
       SELECT 'cust-' || lpad(c::text, 6, '0'),
              $3::date - floor(random() * 90)::int,
              t,
              CASE WHEN k.category = 'salary' THEN round((1200 + random() * 3000)::numeric, 2)
                   ELSE round((k.typical * (0.3 + random() * 1.4))::numeric, 2) + 0.01 END,
              CASE WHEN k.category = 'salary' THEN 'in' ELSE 'out' END,
              k.category,
              k.merchants[1 + floor(random() * array_length(k.merchants, 1))::int]
       FROM generate_series(1, $1) AS c,
            generate_series(1, $2) AS t,
            -- Referring to c and t below makes the draw correlated: PostgreSQL runs it once per row, not once.
            LATERAL (
              SELECT * FROM (VALUES
                ('salary', 0, ARRAY['Employer Ltd'], 0.03),
                ('groceries', 35, ARRAY['Tesco', 'Lidl', 'Sainsbury'], 0.25),
                ('energy', 95, ARRAY['British Gas', 'Octopus', 'EDF'], 0.30),
                ('subscriptions', 11, ARRAY['Netflix', 'Spotify', 'Disney+'], 0.36),
                ('eating-out', 18, ARRAY['Deliveroo', 'Pret', 'Nando''s'], 0.50),
                ('transport', 7, ARRAY['TfL', 'Trainline', 'Shell'], 0.70),
                ('rent', 950, ARRAY['Landlord Ltd'], 0.72),
                ('bank-charges', 12, ARRAY['Bank fee'], 0.75),
                ('gambling', 25, ARRAY['Bet365', 'Betfair', 'Lottery'], 0.80),
                ('shopping', 40, ARRAY['Amazon', 'Argos', 'Apple'], 1.01)
              ) AS k(category, typical, merchants, upto)
              WHERE k.upto > (random() + c * 0.0 + t * 0.0) ORDER BY k.upto LIMIT 1
            ) AS k`,
      [options.customers, options.transactionsPerCustomer, asOf],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Eligible customers after `after` (in id order), `limit` of them: one range of the eligible customers' index. */
export async function pageEligibleCustomers(
  pool: PostgresPool,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const { rows } = await pool.query<{ customer_id: string }>(
    `SELECT customer_id FROM ${CUSTOMER_STORE_SCHEMA}.customers
     WHERE eligible AND customer_id > $1 ORDER BY customer_id LIMIT $2`,
    [after ?? '', limit],
  );
  return rows.map((row) => row.customer_id);
}

export const customerId = (n: number): string => `cust-${String(n).padStart(6, '0')}`;

/** The transactions as the query returns them: one array per field, in the same order (null when there are none). */
type TransactionColumns = { [K in keyof Transaction]: Transaction[K][] | null };

interface CustomerRow {
  customer_id: string;
  facts: Omit<CustomerFacts, 'salary' | 'transactions'> & {
    salary: { monthlyNet: number; paydayOfMonth: number };
    transactions: TransactionColumns;
  };
}

function transactionsFrom(columns: TransactionColumns): Transaction[] {
  const { amount, direction, category, merchant, daysAgo } = columns;
  const transactions = new Array<Transaction>(amount?.length ?? 0);
  for (let i = 0; i < transactions.length; i++)
    transactions[i] = {
      amount: amount![i]!,
      direction: direction![i]!,
      category: category![i]!,
      merchant: merchant![i]!,
      daysAgo: daysAgo![i]!,
    };
  return transactions;
}

/**
 * The facts the rules see of each customer asked for, their transactions over the last `windowDays` before `asOf`:
 * one query, one round trip, however many customers. Customers not in the store are absent from the map.
 */
export async function readCustomers(
  pool: PostgresPool,
  customerIds: readonly string[],
  options: { asOf: Date; windowDays: number },
): Promise<Map<string, CustomerFacts>> {
  const asOf = options.asOf.toISOString().slice(0, 10);
  const { rows } = await pool.query<CustomerRow>(
    `SELECT c.customer_id,
            json_build_object(
              'profile', json_build_object(
                'age', date_part('year', age($2::date, c.date_of_birth)),
                'tenureMonths', (date_part('year', age($2::date, c.joined_on)) * 12 + date_part('month', age($2::date, c.joined_on))),
                'region', c.region,
                'employmentStatus', c.employment_status,
                'creditScore', c.credit_score,
                'isHomeowner', c.is_homeowner,
                'hasOverdraft', c.has_overdraft),
              'balances', json_build_object(
                'current', c.balance_current::float8,
                'savings', c.balance_savings::float8,
                'overdraftLimit', c.overdraft_limit::float8,
                'overdraftUsed', c.overdraft_used::float8,
                'creditCardDebt', c.credit_card_debt::float8),
              'salary', json_build_object('monthlyNet', c.salary_monthly_net::float8, 'paydayOfMonth', c.payday_of_month),
              -- By column, not an object per transaction: a fifth of the text to build and to parse.
              'transactions', (
                SELECT json_build_object(
                         'amount', json_agg(t.amount::float8 ORDER BY t.booked_on DESC, t.transaction_id),
                         'direction', json_agg(t.direction ORDER BY t.booked_on DESC, t.transaction_id),
                         'category', json_agg(t.category ORDER BY t.booked_on DESC, t.transaction_id),
                         'merchant', json_agg(t.merchant ORDER BY t.booked_on DESC, t.transaction_id),
                         'daysAgo', json_agg($2::date - t.booked_on ORDER BY t.booked_on DESC, t.transaction_id))
                FROM ${CUSTOMER_STORE_SCHEMA}.transactions t
                WHERE t.customer_id = c.customer_id AND t.booked_on > $2::date - $3::int AND t.booked_on <= $2::date
              )) AS facts
     FROM ${CUSTOMER_STORE_SCHEMA}.customers c
     WHERE c.customer_id = ANY($1::text[])`,
    [customerIds, asOf, options.windowDays],
  );
  const day = options.asOf.getUTCDate();
  return new Map(
    rows.map(({ customer_id, facts }) => {
      const payday = facts.salary.paydayOfMonth;
      // Days until the next payday from the evaluation date (this month's, or next month's).
      const daysUntilPayday = payday >= day ? payday - day : payday + daysInMonth(options.asOf) - day;
      return [
        customer_id,
        {
          ...facts,
          salary: { ...facts.salary, daysUntilPayday },
          transactions: transactionsFrom(facts.transactions),
        },
      ];
    }),
  );
}

const daysInMonth = (date: Date): number =>
  new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
