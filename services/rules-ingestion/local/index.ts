/**
 * rules-ingestion's public face for local runs and tooling (`@backbone/rules-ingestion/local`): its SQL
 * migrations, the seed catalogue, npm start's demo, and the environment its CLI runs with locally.
 */
import path from 'node:path';
import { loadConfig } from '@backbone/shared';
import type { LocalServiceFace } from '@backbone/shared/local';
import { postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { migrate } from '../src/adapters/migrations';
import { upsertDefinitions, type StoredDefinitionRow } from '../src/adapters/postgres';
import { openDatabase } from '../src/composition-root';
import { seedCatalogue } from './catalogue';
import { demoRules, functionEnvironment } from './demo';

export { functionEnvironment, seedCatalogue };

/** The command-line tool (migrate, seed, validate, publish); run it with the environment from functionEnvironment. */
export const CLI = path.join(__dirname, '..', 'src', 'cli.ts');
export type { StoredDefinitionRow };

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  // Nothing to start of its own (its page is a function in serverless-offline, the sign-in dlq-console's local
  // identity provider): this only says where the editor is, beside the other addresses npm start prints.
  start: async () => [
    {
      name: 'snoop editor (sign in as snoop.writer or snoop.approver)',
      url: 'http://127.0.0.1:3040/editor',
      stop: async () => undefined,
    },
  ],
  async migrate(context) {
    const applied = await migrate(loadConfig(postgresEnvironmentSchema, context.env, 'rules-ingestion migrations'));
    return [`PostgreSQL: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`];
  },
  async seed(context) {
    const database = openDatabase(context.env);
    try {
      const rows = seedCatalogue();
      await upsertDefinitions(database.pool, rows, 'seed');
      return [
        `PostgreSQL: ${rows.length} snoop definitions seeded, ${rows.filter((r) => r.status === 'active').length} active`,
      ];
    } finally {
      await database.close();
    }
  },
  demo: demoRules,
};
