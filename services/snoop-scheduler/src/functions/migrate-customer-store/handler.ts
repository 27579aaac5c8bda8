import { createMigrationHandler } from '@backbone/shared';
import { SERVICE } from '../../composition-root';
import { wireMigrateCustomerStore, type MigrateCustomerStoreDeps } from './wiring';

/** Applies the customer store's migrations (schema customer_store) to Aurora, from inside its VPC (`npm run migrate`). */
export const createMigrateCustomerStoreHandler = (deps: () => MigrateCustomerStoreDeps, where?: () => string) =>
  createMigrationHandler({ service: SERVICE, store: 'PostgreSQL (customer_store)', extension: '.sql' }, deps, where);

export const handler = createMigrateCustomerStoreHandler(() => wireMigrateCustomerStore());
