import { migrate } from '../../adapters/migrations';
import { databaseSettings } from '../../composition-root';

export interface MigrateDatabaseDeps {
  /** Applies the migrations in a folder; the names it applied. */
  migrate: (dir: string) => Promise<string[]>;
}

/** Aurora (PostgreSQL locally) with the service's settings; the password from Secrets Manager in AWS. */
export function wireMigrateDatabase(env: Record<string, string | undefined> = process.env): MigrateDatabaseDeps {
  return {
    async migrate(dir) {
      const database = databaseSettings(env);
      try {
        return await migrate(database.env, { secrets: database.secrets, dir });
      } finally {
        database.close();
      }
    },
  };
}
