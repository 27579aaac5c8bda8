import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

let aptUpdated = false;

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Makes sure a system package is present. As root on Debian (CI, fresh machines)
 * it installs it; otherwise it stops with the exact command to run.
 */
function ensureDebianPackage(check: () => boolean, debianPackage: string, what: string): void {
  if (check()) return;
  if (isRoot() && hasCommand('apt-get')) {
    console.log(`  installing ${what} (apt-get install ${debianPackage}) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (!aptUpdated) {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
      aptUpdated = true;
    }
    execFileSync('apt-get', ['install', '-y', '-qq', debianPackage], { stdio: 'inherit', env });
    if (check()) return;
  }
  throw new PrerequisiteError(
    `${what} is missing. Install it, then run this again:\n    sudo apt-get install ${debianPackage}   (Debian/Ubuntu)`,
  );
}

export function javaMajorVersion(): number | undefined {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  const match = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`);
  return match ? Number(match[1]) : undefined;
}

export function ensureJava(): void {
  ensureDebianPackage(() => (javaMajorVersion() ?? 0) >= 17, 'openjdk-17-jdk-headless', 'Java 17 (JDK)');
  ensureDebianPackage(() => hasCommand('javac'), 'openjdk-17-jdk-headless', 'the Java 17 compiler (javac)');
}

export function ensureMaven(): void {
  ensureDebianPackage(() => hasCommand('mvn'), 'maven', 'Maven (fetches Cassandra, ElasticMQ and DynamoDB Local)');
}

export function ensurePythonVenv(): void {
  ensureDebianPackage(() => hasCommand('python3'), 'python3', 'Python 3');
  ensureDebianPackage(
    () => spawnSync('python3', ['-c', 'import venv, ensurepip'], { stdio: 'ignore' }).status === 0,
    'python3-venv',
    'Python venv (for moto, the S3 emulator)',
  );
}

/** Directory holding initdb/pg_ctl/postgres: the newest Debian PostgreSQL, or whatever pg_config reports. */
export function postgresBinDir(): string {
  const find = (): string | undefined => {
    const debianRoot = '/usr/lib/postgresql';
    if (existsSync(debianRoot)) {
      const versions = readdirSync(debianRoot)
        .filter((v) => existsSync(`${debianRoot}/${v}/bin/initdb`))
        .sort((a, b) => Number(b) - Number(a));
      if (versions[0]) return `${debianRoot}/${versions[0]}/bin`;
    }
    if (hasCommand('pg_config')) {
      const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
      if (existsSync(`${dir}/initdb`)) return dir;
    }
    return undefined;
  };
  ensureDebianPackage(() => find() !== undefined, 'postgresql', 'PostgreSQL server binaries (initdb, postgres)');
  return find()!;
}

/** PgBouncer's binary: Debian's package (the local stand-in for RDS Proxy). */
export function pgbouncerBinary(): string {
  const find = (): string | undefined =>
    ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((candidate) => existsSync(candidate)) ??
    (hasCommand('pgbouncer') ? 'pgbouncer' : undefined);
  ensureDebianPackage(() => find() !== undefined, 'pgbouncer', 'PgBouncer (connection pooling, as RDS Proxy in AWS)');
  return find()!;
}

/**
 * Debian's Chromium, for the browser tests (playwright-core drives it; nothing else needs a browser), or the
 * Chromium-based browser CHROME_PATH names (a GitHub runner's Google Chrome: Ubuntu ships Chromium only as a snap).
 */
export function ensureChromium(): string {
  const named = process.env['CHROME_PATH'];
  if (named && existsSync(named)) return named;
  ensureDebianPackage(
    () => hasCommand('chromium'),
    'chromium',
    'Chromium (Debian package chromium, for the browser tests)',
  );
  return '/usr/bin/chromium';
}
