import pg from 'pg';
import { z } from 'zod';

export const postgresEnvironmentSchema = z.object({
  PGHOST: z.string().min(1),
  PGPORT: z.coerce.number().int().positive().default(5432),
  PGDATABASE: z.string().min(1),
  PGUSER: z.string().min(1),
  /** Locally unset (trust on 127.0.0.1); in AWS injected from Secrets Manager, never from serverless.yml. */
  PGPASSWORD: z.string().optional(),
  PGSSLMODE: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  PG_POOL_MAX: z.coerce.number().int().positive().default(4),
});

export type PostgresEnvironment = z.infer<typeof postgresEnvironmentSchema>;

/** Connection settings from the environment; the pool and the migration runner both use them. */
export function postgresClientConfig(env: PostgresEnvironment): pg.ClientConfig {
  return {
    host: env.PGHOST,
    port: env.PGPORT,
    database: env.PGDATABASE,
    user: env.PGUSER,
    password: env.PGPASSWORD,
    ssl: env.PGSSLMODE === 'disable' ? false : { rejectUnauthorized: env.PGSSLMODE === 'verify-full' },
  };
}

/** The PostgreSQL (Aurora in AWS) pool every service and test uses. */
export function createPostgresPool(env: PostgresEnvironment): pg.Pool {
  return new pg.Pool({
    ...postgresClientConfig(env),
    max: env.PG_POOL_MAX,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
  });
}

export type { Pool as PostgresPool } from 'pg';
