/**
 * The local cloud's PgBouncer pools as RDS Proxy does in AWS: many client connections (engine replicas, each with a
 * pool of its own) share at most PGBOUNCER_POOL_SIZE connections to PostgreSQL, lent per transaction.
 */
import { createPostgresPool, type PostgresPool } from '@backbone/shared/postgres';
import { PGBOUNCER_POOL_SIZE, POSTGRES_DATABASE, POSTGRES_ROLE } from '../local-cloud/components';
import { superuserPool } from '../local-cloud/components/postgres';
import { HOST, PORTS } from '../local-cloud/layout';

const throughPgBouncer = (max: number): PostgresPool =>
  createPostgresPool({
    PGHOST: HOST,
    PGPORT: PORTS.pgbouncer,
    PGDATABASE: POSTGRES_DATABASE,
    PGUSER: POSTGRES_ROLE,
    PGSSLMODE: 'disable',
    PG_POOL_MAX: max,
  });

describe('PgBouncer in front of the local PostgreSQL', () => {
  it(`serves ${PGBOUNCER_POOL_SIZE * 3} concurrent clients over at most ${PGBOUNCER_POOL_SIZE} PostgreSQL connections`, async () => {
    const clients = PGBOUNCER_POOL_SIZE * 3;
    const pool = throughPgBouncer(clients);
    const observer = superuserPool();
    const marker = `pgbouncer-it-${Date.now()}`;
    try {
      let most = 0;
      let watching = true;
      // PostgreSQL's own view of who is running the marked query: at most the pool's size at any moment.
      const watch = (async () => {
        while (watching) {
          const { rows } = await observer.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE $1",
            [`%${marker}%`],
          );
          most = Math.max(most, Number(rows[0]!.n));
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const answers = await Promise.all(
        Array.from({ length: clients }, (_, i) =>
          pool.query<{ i: number }>(`SELECT $1::int AS i, pg_sleep(0.2) /* ${marker} */`, [i]),
        ),
      );
      watching = false;
      await watch;
      expect(answers.map((a) => a.rows[0]!.i)).toEqual(Array.from({ length: clients }, (_, i) => i));
      expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(PGBOUNCER_POOL_SIZE);
    } finally {
      await pool.end();
      await observer.end();
    }
  });

  it('lends a connection per transaction: a transaction keeps its own, and its work is seen after commit', async () => {
    const pool = throughPgBouncer(2);
    try {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ a: number; b: number }>(
          'SELECT pg_backend_pid() AS a, (SELECT pg_backend_pid()) AS b',
        );
        expect(rows[0]!.a).toBe(rows[0]!.b);
        await client.query('CREATE TEMP TABLE IF NOT EXISTS t (x int) ON COMMIT DROP');
        await client.query('INSERT INTO t VALUES (1)');
        expect((await client.query('SELECT count(*)::int AS n FROM t')).rows[0]).toEqual({ n: 1 });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });
});
