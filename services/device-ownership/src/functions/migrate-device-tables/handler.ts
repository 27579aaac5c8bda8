import { createMigrationHandler } from '@backbone/shared';
import { SERVICE } from '../../composition-root';
import { wireMigrateDeviceTables, type MigrateDeviceTablesDeps } from './wiring';

/** Applies the CQL migrations to the device keyspace, from inside the cluster's VPC (`npm run migrate`). */
export const createMigrateDeviceTablesHandler = (deps: () => MigrateDeviceTablesDeps, where?: () => string) =>
  createMigrationHandler({ service: SERVICE, store: 'Cassandra (device tables)', extension: '.cql' }, deps, where);

export const handler = createMigrateDeviceTablesHandler(() => wireMigrateDeviceTables());
