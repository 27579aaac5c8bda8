import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { readFileSync } from 'node:fs';
import { Client, auth, types } from 'cassandra-driver';
import { z } from 'zod';
import { commaSeparated } from '../config/load-config';
import { ConfigurationError } from '../errors';

export const cassandraEnvironmentSchema = z.object({
  CASSANDRA_CONTACT_POINTS: commaSeparated,
  CASSANDRA_LOCAL_DATA_CENTER: z.string().min(1).default('datacenter1'),
  CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'lowercase letters, digits, _')
    .optional(),
  /** Locally unset (no authentication). Never set a password in serverless.yml: in AWS use the secret below. */
  CASSANDRA_USERNAME: z.string().optional(),
  CASSANDRA_PASSWORD: z.string().optional(),
  /** The Secrets Manager secret holding the credentials: JSON with "username" and "password". */
  CASSANDRA_CREDENTIALS_SECRET_ARN: z.string().min(1).optional(),
  /**
   * Client-to-node TLS: on in every AWS stage (Amazon Keyspaces accepts nothing else), the node's certificate checked
   * against the runtime's CAs or CASSANDRA_TLS_CA_FILE's; off in the local stage.
   */
  CASSANDRA_TLS: z
    .enum(['true', 'false'], 'CASSANDRA_TLS is true (every AWS stage) or false (the local stage)')
    .default('false'),
  /** A PEM file of the CAs that sign the nodes' certificates (a self-managed cluster's; the local node's). */
  CASSANDRA_TLS_CA_FILE: z.string().min(1).optional(),
});

export type CassandraEnvironment = z.infer<typeof cassandraEnvironmentSchema>;

/**
 * The Cassandra client every service and test uses. Default consistency is
 * LOCAL_QUORUM, so that "who owns this device" never reads a stale owner after a
 * transfer written at LOCAL_QUORUM too.
 */
export function createCassandraClient(
  env: Omit<CassandraEnvironment, 'CASSANDRA_TLS'> & Partial<Pick<CassandraEnvironment, 'CASSANDRA_TLS'>>,
  options: { keyspace?: string | null; secrets?: SecretsManagerClient } = {},
): Client {
  const keyspace = options.keyspace === null ? undefined : (options.keyspace ?? env.CASSANDRA_KEYSPACE);
  if (env.CASSANDRA_CREDENTIALS_SECRET_ARN && !options.secrets)
    throw new ConfigurationError('CASSANDRA_CREDENTIALS_SECRET_ARN is set: pass a Secrets Manager client to read it');
  return new Client({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DATA_CENTER,
    keyspace,
    authProvider:
      env.CASSANDRA_CREDENTIALS_SECRET_ARN && options.secrets
        ? secretAuthProvider(credentialsFromSecret(options.secrets, env.CASSANDRA_CREDENTIALS_SECRET_ARN))
        : env.CASSANDRA_USERNAME && env.CASSANDRA_PASSWORD
          ? new auth.PlainTextAuthProvider(env.CASSANDRA_USERNAME, env.CASSANDRA_PASSWORD)
          : undefined,
    ...(env.CASSANDRA_TLS === 'true'
      ? {
          sslOptions: {
            rejectUnauthorized: true,
            ...(env.CASSANDRA_TLS_CA_FILE ? { ca: [readFileSync(env.CASSANDRA_TLS_CA_FILE)] } : {}),
          },
        }
      : {}),
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
}

export { types as cassandraTypes };

export interface CassandraCredentials {
  username: string;
  password: string;
}

// Long enough that a warm Lambda rarely calls Secrets Manager, short enough to follow a rotation.
const SECRET_MAX_AGE_SECONDS = 300;

/** The credentials in a Secrets Manager secret (JSON with "username" and "password"), cached for five minutes. */
export function credentialsFromSecret(
  client: SecretsManagerClient,
  secretId: string,
): () => Promise<CassandraCredentials> {
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  return async () => {
    const value = await secrets.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS, transform: 'json' });
    const { username, password } = (value ?? {}) as Partial<Record<'username' | 'password', unknown>>;
    if (typeof username !== 'string' || typeof password !== 'string' || !username || !password)
      throw new ConfigurationError(
        'the secret CASSANDRA_CREDENTIALS_SECRET_ARN names must be JSON with a "username" and a "password" string',
      );
    return { username, password };
  };
}

// The driver checks `instanceof AuthProvider`; its typings declare AuthProvider as an interface only.
const { AuthProvider } = auth as unknown as { AuthProvider: new () => auth.AuthProvider };

/**
 * Cassandra's password authentication with credentials read when a connection opens (not when the client is
 * built), so that connections opened after a rotation use the new password.
 */
export function secretAuthProvider(credentials: () => Promise<CassandraCredentials>): auth.AuthProvider {
  const provider = new AuthProvider();
  provider.newAuthenticator = () => ({
    initialResponse(callback: (error: Error | null, token?: Buffer) => void) {
      credentials().then(
        ({ username, password }) =>
          callback(
            null,
            Buffer.concat([Buffer.from([0]), Buffer.from(username), Buffer.from([0]), Buffer.from(password)]),
          ),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
    evaluateChallenge(_challenge: Buffer, callback: () => void) {
      callback();
    },
    onAuthenticationSuccess() {},
  });
  return provider;
}
