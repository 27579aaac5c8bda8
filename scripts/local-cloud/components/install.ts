/**
 * What installing the local cloud's components shares: install stamps, commands that do not block the event
 * loop (installs from different registries overlap), Maven downloads that never leave half an install, and
 * probe clients pointed at one emulator.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AwsClientSettings } from '@backbone/shared';
import { CHECKOUT_MARKER, CLOUD_DIR, SCRIPTS_DIR, SERVICE_USER_DIR, SYSTEM_STATE_ROOT } from '../layout';
import { ensureJava, ensureMaven, ensurePythonVenv } from '../prerequisites';
import { InstallError } from './component';

export const componentDir = (name: string): string => path.join(CLOUD_DIR, name);

/**
 * The folder of a component that runs as another user (PostgreSQL, PgBouncer as root): in SERVICE_USER_DIR, which
 * that user can reach wherever the clone lives. Creates the folders on the way readable and traversable by all
 * (whatever the umask), and names the checkout they belong to.
 */
export function serviceUserComponentDir(name: string): string {
  if (SERVICE_USER_DIR !== CLOUD_DIR) {
    for (const dir of [SYSTEM_STATE_ROOT, SERVICE_USER_DIR]) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
    writeFileSync(path.join(SERVICE_USER_DIR, CHECKOUT_MARKER), `${CLOUD_DIR}\n`);
  }
  const dir = path.join(SERVICE_USER_DIR, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * An install is complete when its stamp file holds the hash of the input it was made from
 * (a pom, a requirements file, a source file); a changed input or a missing stamp reinstalls.
 */
export function installStamp(stampFile: string, inputFile: string): { current: boolean; write(): void } {
  const wanted = createHash('sha256').update(readFileSync(inputFile)).digest('hex').slice(0, 16);
  return {
    current: existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted,
    write: () => writeFileSync(stampFile, wanted),
  };
}

/** Runs a command without blocking the event loop, so installs from different registries overlap. */
export function runCommand(
  command: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ status: null, output: `${output}${error.message}` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * Resolves a Maven dependency tree into a folder of jars, kept in the machine's cache under the pom's hash (see
 * machineCacheDir) and linked as <component>/lib. Downloads go to a temporary folder that is renamed into place only
 * once complete, so a failed download never leaves a half-installed component behind.
 */
export async function installMavenRuntime(name: string, label: string): Promise<void> {
  const pom = path.join(SCRIPTS_DIR, 'maven', name, 'pom.xml');
  const hash = createHash('sha256').update(readFileSync(pom)).digest('hex').slice(0, 16);
  const shared = path.join(machineCacheDir(), 'maven', `${name}-${hash}`);
  await withInstallLock(shared, async () => {
    if (installStamp(path.join(shared, '.installed'), pom).current) return;
    ensureJava();
    ensureMaven();
    console.log(`  installing ${label} from Maven Central (first run on this machine only) ...`);
    const partial = `${shared}.partial`;
    rmSync(partial, { recursive: true, force: true });
    const result = await runCommand('mvn', [
      '-q',
      '-B',
      // A downloaded file whose checksum does not match the repository's is refused, and the install fails with it.
      '--strict-checksums',
      '-f',
      pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${partial}`,
      '-DincludeScope=runtime',
    ]);
    if (result.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      const output = result.output
        .split('\n')
        .filter((l) => l.includes('ERROR'))
        .slice(0, 5)
        .join('\n');
      throw new InstallError(
        `downloading ${label} failed (mvn exit ${result.status}); nothing was installed.\n${output}\n` +
          `Check that Maven Central is reachable, then run "npm run cloud:up" again.`,
      );
    }
    installStamp(path.join(partial, '.installed'), pom).write();
    rmSync(shared, { recursive: true, force: true });
    renameSync(partial, shared);
  });
  linkTo(path.join(componentDir(name), 'lib'), shared);
}

export function localAws(endpoint: string): AwsClientSettings {
  return { region: 'eu-west-1', endpoints: { sqs: endpoint, dynamodb: endpoint, s3: endpoint } };
}

/** Probes build a client per call; destroying it closes its keep-alive sockets. */
export async function withClient<C extends { destroy(): void }, T>(
  client: C,
  use: (client: C) => Promise<T>,
): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

// The emulators accept any credentials; the SDK still needs some to sign requests.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

/**
 * Where installs every checkout on this machine can share are kept: Python virtualenvs, keyed by the hash of their
 * lock file. A new clone (CI's, a second one of a developer) links to them instead of building its own, as
 * Playwright keeps its browsers; `rm -rf` of it costs nothing but the next install's time.
 */
export const machineCacheDir = (): string =>
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lending-backbone');

/**
 * Installs PyPI packages into a virtualenv and returns its bin folder, <component>/venv/bin. The requirements file is
 * a lock (scripts/local-cloud/conf/<requirements>, made from its .in by npm run lock:python): every package, its
 * dependencies included, pinned with the SHA-256 of each of its files, and pip refuses anything else
 * (--require-hashes), so a package changed on the index, or a mirror's, is never installed. The virtualenv itself
 * lives in the machine's cache under the lock's hash (building one costs tens of seconds of CPU: a fresh clone would
 * otherwise pay it for each of five), and <component>/venv links to it. A virtualenv cannot be moved, so it is built
 * in place, one builder at a time (a lock folder), and only its stamp marks it complete; a failed install removes it.
 */
export async function installPythonVenv(name: string, requirements: string, label: string): Promise<string> {
  const requirementsFile = path.join(SCRIPTS_DIR, 'conf', requirements);
  const hash = createHash('sha256').update(readFileSync(requirementsFile)).digest('hex').slice(0, 16);
  const shared = path.join(machineCacheDir(), 'venvs', `${name}-${hash}`);
  const link = path.join(componentDir(name), 'venv');
  await withInstallLock(shared, async () => {
    const stamp = installStamp(path.join(shared, '.installed'), requirementsFile);
    if (stamp.current) return;
    ensurePythonVenv();
    console.log(`  installing ${label} into a virtualenv from PyPI (first run on this machine only) ...`);
    rmSync(shared, { recursive: true, force: true });
    const steps: [string, string[]][] = [
      ['python3', ['-m', 'venv', shared]],
      [
        path.join(shared, 'bin', 'pip'),
        ['install', '-q', '--disable-pip-version-check', '--require-hashes', '--no-deps', '-r', requirementsFile],
      ],
    ];
    for (const [command, args] of steps) {
      const result = await runCommand(command, args);
      if (result.status !== 0) {
        rmSync(shared, { recursive: true, force: true });
        throw new InstallError(
          `installing ${label} failed (${path.basename(command)} exit ${result.status}); nothing was installed.\n` +
            `${result.output.split('\n').slice(-6).join('\n')}\nCheck that PyPI is reachable, then try again.`,
        );
      }
    }
    stamp.write();
  });
  linkTo(link, shared);
  return path.join(link, 'bin');
}

/** Makes `link` a symbolic link to `target`, replacing whatever was there (an older link, a checkout's own venv). */
function linkTo(link: string, target: string): void {
  try {
    if (readlinkSync(link) === target) return;
  } catch {
    // not a link (missing, or a folder of an older layout)
  }
  mkdirSync(path.dirname(link), { recursive: true });
  rmSync(link, { recursive: true, force: true });
  symlinkSync(target, link);
}

/** A build another process started is waited for this long before its lock is taken as abandoned. */
const ABANDONED_INSTALL_MS = 15 * 60_000;

/** Runs `build` holding `<dir>.lock` (a folder: its creation is atomic), so two checkouts never build one folder. */
async function withInstallLock(dir: string, build: () => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(dir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > ABANDONED_INSTALL_MS) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    await build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
