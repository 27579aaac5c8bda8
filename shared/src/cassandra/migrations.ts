import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createCassandraClient, type CassandraEnvironment } from './client';

/**
 * Versioned CQL migrations, applied in order and recorded in the keyspace's `schema_migrations` table, as
 * node-pg-migrate does for PostgreSQL. A file is `<version>_<name>.cql` (`001_device_tables.cql`); its statements
 * end with `;` and `--` starts a comment. An applied file that has since changed is refused: add a new one instead.
 *
 * The keyspace itself is created here with the replication it is given, since that differs per environment:
 * SimpleStrategy with one replica on the local single node, NetworkTopologyStrategy with three replicas per data
 * centre in production (Amazon Keyspaces creates keyspaces with its own replication and ignores this).
 */
export interface CassandraMigrationOptions {
  keyspace: string;
  /** CQL replication map, e.g. `{'class': 'NetworkTopologyStrategy', 'eu-west-1': 3}`. */
  replication: string;
  dir: string;
  log?: (line: string) => void;
  /** Needed when the credentials are in Secrets Manager (CASSANDRA_CREDENTIALS_SECRET_ARN). */
  secrets?: SecretsManagerClient;
}

export interface CqlMigration {
  version: string;
  name: string;
  statements: string[];
  checksum: string;
}

const FILE_NAME = /^(\d+)_([a-z0-9_-]+)\.cql$/;
const KEYSPACE_NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** The statements of a CQL file: comments removed, split at each `;` that ends a line. */
export function cqlStatements(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, '').trimEnd())
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

export function readCqlMigrations(dir: string): CqlMigration[] {
  const files = readdirSync(dir).filter((file) => file.endsWith('.cql'));
  const migrations = files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`${path.join(dir, file)}: name it <version>_<name>.cql (digits, then lowercase words)`);
    const text = readFileSync(path.join(dir, file), 'utf8');
    return {
      version: match[1]!,
      name: match[2]!,
      statements: cqlStatements(text),
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
  migrations.sort((a, b) => Number(a.version) - Number(b.version));
  for (let i = 1; i < migrations.length; i++) {
    if (Number(migrations[i]!.version) === Number(migrations[i - 1]!.version))
      throw new Error(`${dir}: two migrations have version ${migrations[i]!.version}`);
  }
  return migrations;
}

/**
 * Applies the migrations not yet recorded, in version order, and returns the names applied. Safe to run again and
 * from two places at once: statements are `IF NOT EXISTS`, and each migration is recorded with a compare-and-set.
 */
export async function migrateCassandra(
  env: CassandraEnvironment,
  options: CassandraMigrationOptions,
): Promise<string[]> {
  const { keyspace, replication, dir, secrets, log = () => undefined } = options;
  if (!KEYSPACE_NAME.test(keyspace))
    throw new Error(`keyspace "${keyspace}": use lowercase letters, digits and _, starting with a letter`);
  const migrations = readCqlMigrations(dir);
  const admin = createCassandraClient(env, { keyspace: null, secrets });
  try {
    await admin.execute(`CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replication}`);
  } finally {
    await admin.shutdown();
  }
  const client = createCassandraClient(env, { keyspace, secrets });
  try {
    await client.execute(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, name text, checksum text, applied_at timestamp)',
    );
    const applied = new Map(
      (await client.execute('SELECT version, name, checksum FROM schema_migrations')).rows.map((row) => [
        String(row['version']),
        { name: String(row['name']), checksum: String(row['checksum']) },
      ]),
    );
    const done: string[] = [];
    for (const migration of migrations) {
      const recorded = applied.get(migration.version);
      const label = `${migration.version}_${migration.name}`;
      if (recorded) {
        if (recorded.checksum !== migration.checksum)
          throw new Error(
            `CQL migration ${label} changed after it was applied to keyspace ${keyspace}; ` +
              'put the change in a new migration file instead',
          );
        continue;
      }
      log(`applying CQL migration ${label} (${migration.statements.length} statements)`);
      for (const statement of migration.statements) await client.execute(statement);
      await client.execute(
        'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?) IF NOT EXISTS',
        [migration.version, migration.name, migration.checksum, new Date()],
      );
      done.push(label);
    }
    return done;
  } finally {
    await client.shutdown();
  }
}
