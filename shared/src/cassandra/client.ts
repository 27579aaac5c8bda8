import { Client, auth, types } from 'cassandra-driver';
import { z } from 'zod';
import { commaSeparated } from '../config/load-config';

export const cassandraEnvironmentSchema = z.object({
  CASSANDRA_CONTACT_POINTS: commaSeparated,
  CASSANDRA_LOCAL_DATA_CENTER: z.string().min(1).default('datacenter1'),
  CASSANDRA_KEYSPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,47}$/, 'lowercase letters, digits, _')
    .optional(),
  CASSANDRA_USERNAME: z.string().optional(),
  CASSANDRA_PASSWORD: z.string().optional(),
});

export type CassandraEnvironment = z.infer<typeof cassandraEnvironmentSchema>;

/**
 * The Cassandra client every service and test uses. Default consistency is
 * LOCAL_QUORUM, so that "who owns this device" never reads a stale owner after a
 * transfer written at LOCAL_QUORUM too.
 */
export function createCassandraClient(env: CassandraEnvironment, options: { keyspace?: string | null } = {}): Client {
  const keyspace = options.keyspace === null ? undefined : (options.keyspace ?? env.CASSANDRA_KEYSPACE);
  return new Client({
    contactPoints: env.CASSANDRA_CONTACT_POINTS,
    localDataCenter: env.CASSANDRA_LOCAL_DATA_CENTER,
    keyspace,
    authProvider:
      env.CASSANDRA_USERNAME && env.CASSANDRA_PASSWORD
        ? new auth.PlainTextAuthProvider(env.CASSANDRA_USERNAME, env.CASSANDRA_PASSWORD)
        : undefined,
    queryOptions: { consistency: types.consistencies.localQuorum, prepare: true },
    socketOptions: { connectTimeout: 5_000, readTimeout: 12_000 },
  });
}

export { types as cassandraTypes };
