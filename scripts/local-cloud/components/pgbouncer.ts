import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPostgresPool } from '@backbone/shared/postgres';
import { HOST, PORTS } from '../layout';
import { pgbouncerBinary } from '../prerequisites';
import type { Component } from './component';
import { serviceUserComponentDir } from './install';
import { POSTGRES_DATABASE, POSTGRES_ROLE, postgresUser } from './postgres';

/**
 * Server connections PgBouncer keeps to PostgreSQL per database and user: however many clients connect (engine
 * replicas, each with its own pool), PostgreSQL sees at most this many. RDS Proxy's MaxConnectionsPercent plays
 * this part in AWS.
 */
export const PGBOUNCER_POOL_SIZE = 20;

/**
 * PgBouncer in transaction pooling in front of the local PostgreSQL, as RDS Proxy is in front of Aurora: a client
 * holds a server connection only for the length of a transaction. (So no session state across transactions, and
 * no named prepared statements on PgBouncer before 1.21: the pg driver's unnamed ones are fine.)
 */
export const pgbouncer: Component = {
  name: 'pgbouncer',
  port: PORTS.pgbouncer,
  what: `PgBouncer (transaction pooling, ${PGBOUNCER_POOL_SIZE} server connections; stand-in for RDS Proxy)`,
  startTimeoutMs: 90_000,
  async install() {
    pgbouncerBinary();
  },
  async prepare() {
    const dir = serviceUserComponentDir('pgbouncer');
    writeFileSync(
      path.join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        // Every client logs in as the application's role: no password file to keep (auth_type any).
        `${POSTGRES_DATABASE} = host=${HOST} port=${PORTS.postgres} dbname=${POSTGRES_DATABASE} user=${POSTGRES_ROLE}`,
        '',
        '[pgbouncer]',
        `listen_addr = ${HOST}`,
        `listen_port = ${PORTS.pgbouncer}`,
        'unix_socket_dir =',
        'auth_type = any',
        'pool_mode = transaction',
        `default_pool_size = ${PGBOUNCER_POOL_SIZE}`,
        'max_client_conn = 1000',
        // PostgreSQL starts beside it: a first login refused while it comes up is retried after a second, not after
        // the default 15 s (which made PgBouncer the last component of the local cloud to answer).
        'server_login_retry = 1',
        // Parameters some drivers send at start-up that PgBouncer would otherwise refuse.
        'ignore_startup_parameters = extra_float_digits,options',
        'admin_users = postgres',
        'stats_users = backbone',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
  },
  launch() {
    const dir = serviceUserComponentDir('pgbouncer');
    return {
      command: pgbouncerBinary(),
      user: postgresUser(),
      cwd: dir,
      args: [path.join(dir, 'pgbouncer.ini')],
    };
  },
  async probe() {
    const pool = createPostgresPool({
      PGHOST: HOST,
      PGPORT: PORTS.pgbouncer,
      PGDATABASE: POSTGRES_DATABASE,
      PGUSER: POSTGRES_ROLE,
      PGSSLMODE: 'disable',
      PG_POOL_MAX: 1,
    });
    try {
      await pool.query('SELECT 1');
    } finally {
      await pool.end();
    }
  },
};
