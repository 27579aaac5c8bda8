import { createMigrationHandler } from '@backbone/shared';
import { SERVICE } from '../../composition-root';
import { wireMigrateDatabase, type MigrateDatabaseDeps } from './wiring';

/** Applies rules-ingestion's PostgreSQL migrations to Aurora, from inside its VPC (`npm run migrate`). */
export const createMigrateDatabaseHandler = (deps: () => MigrateDatabaseDeps, where?: () => string) =>
  createMigrationHandler(
    { service: SERVICE, store: 'PostgreSQL (snoop definitions, reviews, outbox)', extension: '.sql' },
    deps,
    where,
  );

export const handler = createMigrateDatabaseHandler(() => wireMigrateDatabase());
