import { createHash } from 'node:crypto';
import path from 'node:path';

/** Where the local cloud keeps what it installs and runs. Git-ignored; delete it to start from scratch. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLOUD_DIR = path.resolve(process.env.LOCAL_CLOUD_DIR ?? path.join(REPO_ROOT, '.local-cloud'));
export const RUN_DIR = path.join(CLOUD_DIR, 'run');
export const LOG_DIR = path.join(CLOUD_DIR, 'logs');
export const SCRIPTS_DIR = __dirname;

/**
 * As root, PostgreSQL and PgBouncer run as the system user "postgres" (PostgreSQL refuses to run as root), and that
 * user cannot reach into a clone under a private folder: /root is 0700 on Debian, so is every `mktemp -d`. Their
 * files therefore live outside the clone, in a folder of this checkout's own under the system's state directory;
 * the folders the project does not own keep their permissions. As any other user they run as that user, who can
 * reach the clone, and stay in CLOUD_DIR with the rest.
 */
export const SYSTEM_STATE_ROOT = process.env.LOCAL_CLOUD_SYSTEM_DIR ?? '/var/lib/lending-backbone';
export const runsServicesAsAnotherUser = (): boolean => process.getuid?.() === 0;

/** One folder per checkout, named after it (`<folder name>-<hash of its path>`) so two clones never share one. */
export function checkoutFolderName(cloudDir: string = CLOUD_DIR): string {
  const checkout = path.basename(path.dirname(cloudDir)) || 'root';
  const hash = createHash('sha256').update(path.resolve(cloudDir)).digest('hex').slice(0, 10);
  return `${checkout.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}`;
}

export const SERVICE_USER_DIR = runsServicesAsAnotherUser()
  ? path.join(SYSTEM_STATE_ROOT, checkoutFolderName())
  : CLOUD_DIR;

/** The file in SERVICE_USER_DIR that names the checkout it belongs to (for wiping, and for "who holds this port?"). */
export const CHECKOUT_MARKER = 'checkout';

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
