import path from 'node:path';

/** Where the local cloud keeps what it installs and runs. Git-ignored; delete it to start from scratch. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLOUD_DIR = process.env.LOCAL_CLOUD_DIR ?? path.join(REPO_ROOT, '.local-cloud');
export const RUN_DIR = path.join(CLOUD_DIR, 'run');
export const LOG_DIR = path.join(CLOUD_DIR, 'logs');
export const SCRIPTS_DIR = __dirname;

export const HOST = '127.0.0.1';

/** One place for every port the local cloud uses. */
export const PORTS = {
  gateway: 4566,
  elasticmq: 4567,
  dynamodb: 4568,
  moto: 4569,
  postgres: 5433,
  // Not 6432, PgBouncer's default: Debian's package may start a system PgBouncer there.
  pgbouncer: 6434,
  cassandra: 9042,
  cassandraStorage: 7000,
  cassandraJmx: 7199,
} as const;
