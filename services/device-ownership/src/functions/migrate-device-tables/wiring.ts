import { migrateDeviceTables } from '../../composition-root';

export interface MigrateDeviceTablesDeps {
  /** Applies the migrations in a folder; the names it applied. */
  migrate: (dir: string) => Promise<string[]>;
}

/** The cluster (or Amazon Keyspaces) with the service's settings and the keyspace's replication (CASSANDRA_REPLICATION). */
export function wireMigrateDeviceTables(
  env: Record<string, string | undefined> = process.env,
): MigrateDeviceTablesDeps {
  return { migrate: (dir) => migrateDeviceTables(env, undefined, dir) };
}
