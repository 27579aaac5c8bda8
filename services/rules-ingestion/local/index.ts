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
import { startLocalRelay } from './relay';

export { functionEnvironment, seedCatalogue };

/** The command-line tool (migrate, seed, validate, publish); run it with the environment from functionEnvironment. */
export const CLI = path.join(__dirname, '..', 'src', 'cli.ts');
export type { StoredDefinitionRow };

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  // The outbox relay's stand-in for its schedule (serverless-offline runs no schedules locally): every second, so
  // an approval is served within seconds. The editor's page is a function in serverless-offline; its sign-in is
  // dlq-console's local identity provider: this says where the editor is, beside the other addresses.
  async start(context) {
    const relay = startLocalRelay(await functionEnvironment(context));
    return [
      {
        name: 'snoop editor (sign in as snoop.writer or snoop.approver)',
        url: 'http://127.0.0.1:3040/editor',
        stop: () => relay.stop(),
      },
    ];
  },
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
