import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CHECKOUT_MARKER, LOG_DIR, RUN_DIR, SYSTEM_STATE_ROOT } from './layout';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this system user (needed for PostgreSQL, which refuses to run as root). */
  user?: string;
}

export const pidFile = (name: string): string => path.join(RUN_DIR, `${name}.pid`);
export const logFile = (name: string): string => path.join(LOG_DIR, `${name}.log`);

export function readPid(name: string): number | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Whether a process runs. A zombie (exited, not yet reaped by its parent: in a container whose first process
 * reaps nothing, it stays one) still answers signal 0, so its state in /proc decides: Z or X is dead.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !['Z', 'X'].includes(processState(pid) ?? '');
}

/** The one-letter state in /proc/<pid>/stat (R, S, D, Z, ...), or undefined where there is no /proc. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) S ...": the command may hold spaces and parentheses, so read after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || undefined;
  } catch {
    return undefined;
  }
}

/** Starts a process in its own process group, detached from this one, output appended to its log. */
export function launch(name: string, spec: LaunchSpec): number {
  mkdirSync(RUN_DIR, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  const log = openSync(logFile(name), 'a');
  const [command, args] = spec.user
    ? ['runuser', ['-u', spec.user, '--', spec.command, ...spec.args]]
    : [spec.command, spec.args];
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${name}: ${command} did not spawn`);
  child.unref();
  writeFileSync(pidFile(name), String(child.pid));
  return child.pid;
}

/** Stops the process group we started: SIGTERM, then SIGKILL after the grace period. */
export async function stop(name: string, graceMs = 20_000): Promise<'stopped' | 'not running'> {
  const pid = readPid(name);
  if (pid === undefined || !isAlive(pid)) {
    rmSync(pidFile(name), { force: true });
    return 'not running';
  }
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  rmSync(pidFile(name), { force: true });
  return 'stopped';
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Names what listens on a port, so "port in use" errors say who to stop: the process, and when it belongs to the
 * local cloud of another checkout, which one.
 */
export function describePortHolder(port: number): string {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' }).trim();
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(out);
    if (match) {
      const checkout = localCloudOwning(Number(match[2]));
      const owner = checkout ? `, part of the local cloud of ${checkout}` : '';
      return `${match[1]} (pid ${match[2]}${owner})`;
    }
    return out ? out.split('\n')[0]!.trim() : 'an unknown process';
  } catch {
    return 'an unknown process (install iproute2 for "ss" to see which)';
  }
}

/**
 * The checkout whose local cloud a process belongs to, read from its command line and working folder: a path into
 * a checkout's `.local-cloud`, or into a checkout's folder under the system state directory (whose marker names the
 * checkout). Undefined for anything else.
 */
export function localCloudOwning(pid: number): string | undefined {
  const places: string[] = [];
  try {
    places.push(...readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'));
  } catch {
    return undefined;
  }
  try {
    places.push(readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    // Another user's process: its working folder is not ours to read.
  }
  return checkoutNamedIn(places);
}

export function checkoutNamedIn(places: readonly string[]): string | undefined {
  const systemRoot = `${SYSTEM_STATE_ROOT.replace(/\/+$/, '')}/`;
  for (const place of places) {
    const inClone = /([^\s:=]*)\/(?:\.local-cloud|scripts\/local-cloud)(?:\/|$)/.exec(place);
    if (inClone?.[1]) return path.resolve(inClone[1]);
    const start = place.indexOf(systemRoot);
    if (start >= 0) {
      const folder = place.slice(start + systemRoot.length).split('/')[0];
      const marker = folder ? path.join(systemRoot, folder, CHECKOUT_MARKER) : undefined;
      if (marker && existsSync(marker)) return path.dirname(readFileSync(marker, 'utf8').trim());
    }
  }
  return undefined;
}

/** Resident memory of a process and its descendants, in MiB (from /proc). */
export function residentMemoryMiB(pid: number): number {
  const pids = [pid, ...descendants(pid)];
  let kib = 0;
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const rss = /VmRSS:\s+(\d+)/.exec(status);
      if (rss) kib += Number(rss[1]);
    } catch {
      // exited meanwhile
    }
  }
  return Math.round(kib / 1024);
}

function descendants(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return children.flatMap((child) => [child, ...descendants(child)]);
  } catch {
    return [];
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function tail(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const content = readFileSync(file, 'utf8').split('\n');
  return content.slice(-lines - 1).join('\n');
}
