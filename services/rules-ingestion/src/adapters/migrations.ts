import path from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { postgresClientConfig, type PostgresEnvironment } from '@backbone/shared/postgres';

export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'migrations');

/**
 * Applies the versioned migrations (node-pg-migrate) to PostgreSQL or Aurora:
 * the same call runs in the local set-up and, with Aurora's variables, in AWS.
 */
export async function migrate(
  env: PostgresEnvironment,
  options: { schema?: string; log?: (line: string) => void; secrets?: SecretsManagerClient } = {},
): Promise<string[]> {
  // node-pg-migrate is published as an ES module only.
  const { runner } = await import('node-pg-migrate');
  const applied = await runner({
    databaseUrl: postgresClientConfig(env, options.secrets),
    dir: MIGRATIONS_DIR,
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
