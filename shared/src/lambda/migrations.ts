import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { createLogger } from '../observability';

/**
 * What a service's migration function answers (`npm run migrate`, and `npm run deploy` after the stacks): the
 * migrations it applied now and how many its package holds, so that a deploy that shipped none is seen.
 */
export interface MigrationReport {
  service: string;
  /** What was migrated, in words: "PostgreSQL (rules)", "Cassandra (device_ownership)". */
  store: string;
  applied: string[];
  /** The migration files in the function's package. */
  known: number;
}

/**
 * The migration files packaged with a function (`package.patterns: [migrations/**]`): its `migrations/` folder,
 * relative to the working directory, which is the package's root in Lambda (/var/task) and the service's folder
 * under serverless-offline. A bundle's __dirname is not its source's, so the source's own path cannot be used.
 */
export const packagedMigrationsDir = (): string => path.resolve('migrations');

/** How many migrations of a kind (".sql", ".cql") a folder holds; a missing folder is a packaging mistake, said so. */
export function countMigrations(dir: string, extension: string): number {
  if (!existsSync(dir))
    throw new Error(
      `no migrations at ${dir}: package them with the function (package.patterns: ['migrations/*${extension}'])`,
    );
  return readdirSync(dir).filter((file) => file.endsWith(extension)).length;
}

/** What a migration function needs: a way to apply the migrations in a folder (the names it applied). */
export interface MigrationDeps {
  migrate: (dir: string) => Promise<string[]>;
}

/**
 * A migration function's handler: runs the service's migrations from its package and answers what it did. Invoked by
 * `npm run migrate` (and `npm run deploy`), never by an event: it runs inside the store's network, where a laptop
 * cannot reach. Failing throws, so the invocation reports the error and the command exits non-zero.
 */
export function createMigrationHandler(
  what: { service: string; store: string; extension: '.sql' | '.cql' },
  deps: () => MigrationDeps,
  /** The packaged migrations' folder. */
  where: () => string = packagedMigrationsDir,
): (event?: unknown, context?: Context) => Promise<MigrationReport> {
  const logger = createLogger(what.service);
  return async (_event, context) => {
    // Each line says which function and invocation wrote it (npm run logs finds a function's lines by it).
    if (context) logger.addContext(context);
    const dir = where();
    const known = countMigrations(dir, what.extension);
    const applied = await deps().migrate(dir);
    logger.info(applied.length > 0 ? 'migrations applied' : 'the store is up to date', {
      store: what.store,
      applied,
      known,
    });
    return { service: what.service, store: what.store, applied, known };
  };
}
