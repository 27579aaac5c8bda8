import path from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PostgresEnvironment } from '@backbone/shared/postgres';
import { migratePostgres } from '@backbone/shared/postgres/migrations';

export const MIGRATIONS_DIR = path.join(__dirname, '..', '..', 'migrations');

/** Applies rules-ingestion's migrations (the public schema) to PostgreSQL or Aurora; `dir` where a bundle has them. */
export const migrate = (
  env: PostgresEnvironment,
  options: { schema?: string; log?: (line: string) => void; secrets?: SecretsManagerClient; dir?: string } = {},
): Promise<string[]> => migratePostgres(env, { ...options, dir: options.dir ?? MIGRATIONS_DIR });
