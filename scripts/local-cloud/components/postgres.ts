import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPostgresPool } from '@backbone/shared/postgres';
import { HOST, PORTS } from '../layout';
import { postgresBinDir } from '../prerequisites';
import { InstallError, type Component } from './component';
import { serviceUserComponentDir } from './install';

/** PostgreSQL (and PgBouncer) refuse to run as root; as root we run them as the Debian "postgres" user. */
export function postgresUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0) return 'postgres';
  if (spawnSync('id', ['-u', 'localcloud'], { stdio: 'ignore' }).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', 'localcloud']);
  }
  return 'localcloud';
}

function chownTree(target: string, user: string | undefined): void {
  if (!user) return;
  execFileSync('chown', ['-R', `${user}:`, target]);
}

export const POSTGRES_ROLE = 'backbone';
export const POSTGRES_DATABASE = 'backbone';

/**
 * Members of this group must log in with their password (SCRAM), as in Aurora; everyone else is
 * trusted on loopback. Tests that read a password from Secrets Manager log in as such a member.
 */
export const PASSWORD_LOGIN_GROUP = 'password_login';

async function requirePasswordsFor(pool: ReturnType<typeof createPostgresPool>, group: string): Promise<void> {
  const exists = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group]);
  if (exists.rowCount === 0) await pool.query(`CREATE ROLE ${group} NOLOGIN`);
  const { rows } = await pool.query<{ hba_file: string }>('SHOW hba_file');
  const hbaFile = rows[0]!.hba_file;
  const rule = `host all +${group} ${HOST}/32 scram-sha-256`;
  const current = readFileSync(hbaFile, 'utf8');
  if (current.split('\n').includes(rule)) return;
  // The first matching line wins: this one goes before initdb's "trust" lines.
  writeFileSync(hbaFile, `# local cloud: ${group} members use passwords\n${rule}\n${current}`);
  await pool.query('SELECT pg_reload_conf()');
}

/** One connection as the cluster's superuser, to the maintenance database. */
export const superuserPool = () =>
  createPostgresPool({
    PGHOST: HOST,
    PGPORT: PORTS.postgres,
    PGDATABASE: 'postgres',
    PGUSER: 'postgres',
    PGSSLMODE: 'disable',
    PG_POOL_MAX: 1,
  });

export const postgres: Component = {
  name: 'postgres',
  port: PORTS.postgres,
  what: 'PostgreSQL (private cluster, stand-in for Aurora PostgreSQL)',
  startTimeoutMs: 60_000,
  async install() {
    postgresBinDir();
  },
  dataDirs: () => [serviceUserComponentDir('postgres')],
  async prepare() {
    const dir = serviceUserComponentDir('postgres');
    const data = path.join(dir, 'data');
    const sockets = path.join(dir, 'sockets');
    const user = postgresUser();
    mkdirSync(sockets, { recursive: true });
    chownTree(sockets, user);
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    console.log('  initialising the PostgreSQL cluster (first run only) ...');
    const partial = `${data}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    chownTree(dir, user);
    const initdb = path.join(postgresBinDir(), 'initdb');
    const args = ['-D', partial, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'];
    // Started in its own folder: initdb changes back to where it was started, which its user may not reach.
    const result = user
      ? spawnSync('runuser', ['-u', user, '--', initdb, ...args], { encoding: 'utf8', cwd: dir })
      : spawnSync(initdb, args, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new InstallError(`initdb failed:\n${result.stderr}`);
    }
    renameSync(partial, data);
  },
  launch() {
    const dir = serviceUserComponentDir('postgres');
    return {
      command: path.join(postgresBinDir(), 'postgres'),
      user: postgresUser(),
      cwd: dir,
      args: [
        '-D',
        path.join(dir, 'data'),
        '-p',
        String(PORTS.postgres),
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        `unix_socket_directories=${path.join(dir, 'sockets')}`,
        // Local data is disposable: trade durability for speed.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
    };
  },
  async probe() {
    const pool = superuserPool();
    try {
      await pool.query('SELECT 1');
    } finally {
      await pool.end();
    }
  },
  async afterReady() {
    const pool = superuserPool();
    try {
      const role = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [POSTGRES_ROLE]);
      if (role.rowCount === 0) await pool.query(`CREATE ROLE ${POSTGRES_ROLE} LOGIN`);
      const db = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
      if (db.rowCount === 0) await pool.query(`CREATE DATABASE ${POSTGRES_DATABASE} OWNER ${POSTGRES_ROLE}`);
      await requirePasswordsFor(pool, PASSWORD_LOGIN_GROUP);
    } finally {
      await pool.end();
    }
  },
};
