/**
 * The one place in device-ownership that reads configuration and builds clients: the Lambdas' wiring, the local
 * face (migrations, demo), the simulation's Cassandra mode and the benchmark take ready-made parts from here.
 */
import path from 'node:path';
import { awsClientSettings, awsEnvironmentSchema, createSecretsManagerClient, loadConfig } from '@backbone/shared';
import { cassandraEnvironmentSchema, createCassandraClient, migrateCassandra } from '@backbone/shared/cassandra';
import { z } from 'zod';
import {
  createCassandraDeviceStore,
  type CassandraDeviceStore,
  type DeviceStoreOptions,
} from './adapters/cassandra-device-store';
import { lastSeenDays, type DevicePolicy } from './domain/rules';
export const SERVICE = 'device-ownership';

export const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');

const days = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number of days` })
    .int(`${name} must be a whole number of days`)
    .min(1)
    .max(3650)
    .default(fallback);

/** The current rules' settings (stage params in serverless.yml; the defaults are DEFAULT_POLICY's). */
export const devicePolicySchema = z
  .object({
    DEVICE_COOL_DOWN_DAYS: days('DEVICE_COOL_DOWN_DAYS', 30),
    DEVICE_WINDOW_DAYS: days('DEVICE_WINDOW_DAYS', 30),
    DEVICE_MAX_ACCOUNTS_IN_WINDOW: z.coerce.number().int().min(1).max(100).default(3),
    DEVICE_RESET_PROOF_MAX_AGE_DAYS: days('DEVICE_RESET_PROOF_MAX_AGE_DAYS', 365),
  })
  .transform((env): DevicePolicy => ({
    coolDownDays: env.DEVICE_COOL_DOWN_DAYS,
    windowDays: env.DEVICE_WINDOW_DAYS,
    maxAccountsInWindow: env.DEVICE_MAX_ACCOUNTS_IN_WINDOW,
    resetProofMaxAgeDays: env.DEVICE_RESET_PROOF_MAX_AGE_DAYS,
  }));

export const deviceCassandraSchema = cassandraEnvironmentSchema.extend({
  CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'set CASSANDRA_KEYSPACE to the keyspace (lowercase, _)'),
});

export const loadDevicePolicy = (env: Record<string, string | undefined> = process.env): DevicePolicy =>
  loadConfig(devicePolicySchema, env, SERVICE);

/** A Secrets Manager client when the cluster's credentials are in Secrets Manager (none locally). */
const secretsFor = (config: { CASSANDRA_CREDENTIALS_SECRET_ARN?: string }, env: Record<string, string | undefined>) =>
  config.CASSANDRA_CREDENTIALS_SECRET_ARN
    ? createSecretsManagerClient(awsClientSettings(loadConfig(awsEnvironmentSchema, env, SERVICE)))
    : undefined;

export interface DeviceStores extends CassandraDeviceStore {
  close(): Promise<void>;
}

/** The device stores on the configured Cassandra (one client: it pools connections and prepares once). */
export function openDeviceStores(
  env: Record<string, string | undefined> = process.env,
  options: DeviceStoreOptions = {},
): DeviceStores {
  const config = loadConfig(deviceCassandraSchema, env, SERVICE);
  const policy = loadDevicePolicy(env);
  const secrets = secretsFor(config, env);
  const client = createCassandraClient(config, { secrets });
  const stores = createCassandraDeviceStore(client, { lastSeenDays: lastSeenDays(policy), ...options });
  return {
    ...stores,
    async close() {
      await client.shutdown();
      secrets?.destroy();
    },
  };
}

const migrationSchema = deviceCassandraSchema.extend({
  CASSANDRA_REPLICATION: z
    .string({
      error:
        "set CASSANDRA_REPLICATION to the keyspace's replication, e.g. {'class': 'NetworkTopologyStrategy', 'eu-west-1': 3}",
    })
    .regex(
      /^\{.*'class'.*\}$/s,
      "must be a CQL replication map such as {'class': 'SimpleStrategy', 'replication_factor': 1}",
    ),
});

/** Applies device-ownership's CQL migrations (migrations/*.cql) to the configured cluster. */
export async function migrateDeviceTables(
  env: Record<string, string | undefined> = process.env,
  log?: (line: string) => void,
  dir: string = MIGRATIONS_DIR,
): Promise<string[]> {
  const config = loadConfig(migrationSchema, env, `${SERVICE} migrations`);
  const secrets = secretsFor(config, env);
  try {
    return await migrateCassandra(config, {
      keyspace: config.CASSANDRA_KEYSPACE,
      replication: config.CASSANDRA_REPLICATION,
      dir,
      log,
      secrets,
    });
  } finally {
    secrets?.destroy();
  }
}
