import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import pg from 'pg';
import { z } from 'zod';
import { ConfigurationError } from '../errors';

export const postgresEnvironmentSchema = z.object({
  PGHOST: z.string().min(1),
  PGPORT: z.coerce.number().int().positive().default(5432),
  PGDATABASE: z.string().min(1),
  PGUSER: z.string().min(1),
  /** Locally unset (trust on 127.0.0.1). Never set it in serverless.yml: in AWS use PGPASSWORD_SECRET_ARN. */
  PGPASSWORD: z.string().optional(),
  /** The Secrets Manager secret holding the password (Aurora's managed secret: JSON with "password"). */
  PGPASSWORD_SECRET_ARN: z.string().min(1).optional(),
  PGSSLMODE: z.enum(['disable', 'require', 'verify-full']).default('disable'),
  PG_POOL_MAX: z.coerce.number().int().positive().default(4),
});

export type PostgresEnvironment = z.infer<typeof postgresEnvironmentSchema>;

/**
 * Connection settings from the environment; the pool and the migration runner both use them.
 * With PGPASSWORD_SECRET_ARN set, pass `secrets` (from createSecretsManagerClient): the password
 * is then read from Secrets Manager when a connection opens, and is never in the environment.
 */
export function postgresClientConfig(env: PostgresEnvironment, secrets?: SecretsManagerClient) {
  if (env.PGPASSWORD_SECRET_ARN && !secrets) {
    throw new ConfigurationError('PGPASSWORD_SECRET_ARN is set: pass a Secrets Manager client to read it');
  }
  return {
    host: env.PGHOST,
    port: env.PGPORT,
    database: env.PGDATABASE,
    user: env.PGUSER,
    password:
      env.PGPASSWORD_SECRET_ARN && secrets ? passwordFromSecret(secrets, env.PGPASSWORD_SECRET_ARN) : env.PGPASSWORD,
    ssl: env.PGSSLMODE === 'disable' ? false : { rejectUnauthorized: env.PGSSLMODE === 'verify-full' },
  } satisfies pg.ClientConfig;
}

// Long enough that a warm Lambda rarely calls Secrets Manager, short enough to follow a rotation.
const SECRET_MAX_AGE_SECONDS = 300;

/**
 * The password in a Secrets Manager secret: Aurora's managed secret (JSON with "password"), or a
 * plain string. Read when a connection opens, cached for five minutes by Powertools.
 */
export function passwordFromSecret(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  return async () => {
    const raw = await secrets.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
    const text = typeof raw === 'string' ? raw : raw === undefined ? '' : Buffer.from(raw).toString('utf8');
    if (!text.trimStart().startsWith('{')) return text;
    const password = (JSON.parse(text) as { password?: unknown }).password;
    if (typeof password !== 'string' || password.length === 0) {
      throw new ConfigurationError(
        `the secret PGPASSWORD_SECRET_ARN names is JSON without a "password" string; store Aurora's managed secret or the password itself`,
      );
    }
    return password;
  };
}

/** The PostgreSQL (Aurora in AWS) pool every service and test uses (see postgresClientConfig for `secrets`). */
export function createPostgresPool(env: PostgresEnvironment, secrets?: SecretsManagerClient): pg.Pool {
  return new pg.Pool({
    ...postgresClientConfig(env, secrets),
    max: env.PG_POOL_MAX,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 10_000,
  });
}

export type { Pool as PostgresPool } from 'pg';
