/**
 * rules-ingestion from the command line (locally: npm run rules -- <command>).
 *
 *   migrate            apply the database migrations (PostgreSQL or Aurora)
 *   seed               load seed/snoop-catalogue.json into snoop_definitions (idempotent)
 *   validate           check every active definition and print the report; exit 1 if any is invalid
 *   validate --file F  check a definition (stored JSON form) before saving it, with the active set
 *   publish [--by X]   validate, then write the rules file to S3, point latest at it and announce it
 *
 * Configuration comes from the environment (see composition-root.ts).
 */
import { readCommandLine, runTool } from '@backbone/shared/local';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { migrate } from './adapters/migrations';
import { upsertDefinitions, type StoredDefinitionRow } from './adapters/postgres';
import { createRulesIngestion, createRulesValidation, databaseSettings, openDatabase } from './composition-root';
import type { ValidationError } from './domain/rule-set';

export const SEED_CATALOGUE = path.join(__dirname, '..', 'seed', 'snoop-catalogue.json');

function printErrors(errors: readonly ValidationError[]): void {
  console.error(`\n${errors.length} problem(s); nothing was written:\n`);
  for (const error of errors) console.error(`- ${error.snoopId ? `[${error.snoopId}] ` : ''}${error.message}\n`);
}

const USAGE = 'usage: npm run rules -- migrate | seed | validate [--file <definition.json>] | publish [--by <who>]';

async function main(): Promise<number> {
  const { command, values } = readCommandLine(
    process.argv.slice(2),
    { file: { type: 'string' }, by: { type: 'string', default: process.env.USER ?? 'cli' } },
    USAGE,
  );
  switch (command) {
    case 'migrate': {
      const database = databaseSettings();
      try {
        const applied = await migrate(database.env, { secrets: database.secrets });
        console.log(applied.length > 0 ? `applied ${applied.join(', ')}` : 'database schema is up to date');
        return 0;
      } finally {
        database.close();
      }
    }
    case 'seed': {
      const database = openDatabase();
      try {
        const rows = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
        await upsertDefinitions(database.pool, rows, 'seed');
        console.log(
          `seeded ${rows.length} snoop definitions (${rows.filter((r) => r.status === 'active').length} active)`,
        );
        return 0;
      } finally {
        await database.close();
      }
    }
    case 'validate': {
      const validation = createRulesValidation();
      try {
        const file = values.file;
        const built = await validation.validate(file ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined);
        if (!built.ok) {
          printErrors(built.errors);
          return 1;
        }
        console.log(
          file
            ? `${file} is valid alongside the ${built.activeCount} active snoops`
            : `${built.definitions.length} active snoops are valid; rule set version ${built.version}`,
        );
        return 0;
      } finally {
        await validation.close();
      }
    }
    case 'publish': {
      const by = values.by;
      const ingestion = createRulesIngestion();
      try {
        const outcome = await ingestion.publish(by);
        if (outcome.status === 'invalid') {
          printErrors(outcome.errors);
          return 1;
        }
        if (outcome.status === 'unchanged') {
          console.log(`unchanged: rule set ${outcome.version} (${outcome.ruleCount} snoops) is already published`);
          return 0;
        }
        const p = outcome.published;
        console.log(
          `published rule set ${p.ruleSetVersion}: ${p.ruleCount} snoops, s3://${p.location.bucket}/${p.location.key}`,
        );
        return 0;
      } finally {
        await ingestion.close();
      }
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

if (require.main === module) runTool('rules', main);
