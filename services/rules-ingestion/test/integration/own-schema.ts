import { randomUUID } from 'node:crypto';
import { loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { migrate } from '../../src/adapters/migrations';

/**
 * A PostgreSQL schema of the test file's own, migrated, and a pool whose every connection uses it, so that what the
 * file writes never meets the demo's data or another file's; `drop` ends the pool and removes the schema.
 */
export async function ownSchema(
  prefix: string,
): Promise<{ pool: PostgresPool; schema: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const pg = loadConfig(postgresEnvironmentSchema);
  await migrate(pg, { schema });
  const pool = createPostgresPool(pg);
  pool.on('connect', (client) => void client.query(`SET search_path TO ${schema}`));
  return {
    pool,
    schema,
    async drop() {
      await pool.end();
      const admin = createPostgresPool(pg);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
