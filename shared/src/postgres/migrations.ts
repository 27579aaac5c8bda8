/** Kept apart from the pool factory (`@backbone/shared/postgres/migrations`): functions that open pools never bundle the runner. */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { postgresClientConfig, type PostgresEnvironment } from './index';

/**
 * Applies a service's versioned SQL migrations (node-pg-migrate) to PostgreSQL or Aurora: the same call runs in the
 * local set-up and, with Aurora's variables, in AWS. Each service keeps its own migrations table; with `schema`, in a
 * schema of its own (created if missing). Run it straight against the database, not through a transaction-pooling
 * proxy: the runner holds a session lock. Returns the names applied.
 */
export async function migratePostgres(
  env: PostgresEnvironment,
  options: { dir: string; schema?: string; log?: (line: string) => void; secrets?: SecretsManagerClient },
): Promise<string[]> {
  // node-pg-migrate is published as an ES module only.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: postgresClientConfig(env, options.secrets),
    dir: options.dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema: options.schema ?? 'public',
    createSchema: options.schema !== undefined,
    checkOrder: true,
    singleTransaction: true,
    log: options.log ?? (() => undefined),
    verbose: false,
  });
  return applied.map((m) => m.name);
}
