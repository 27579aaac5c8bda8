/**
 * The rules engine locally, as ECS runs it in AWS: two or more processes (as containers would be) started with the
 * container's own command (`node dist/engine.js`), each on its own port (for refresh), and one address in front of
 * them that spreads requests over the ready ones, as the application load balancer does (its target group sends
 * traffic only to targets whose health check passes). A process that dies is started again, as ECS replaces a task.
 */
import { signatureHeaders } from '@backbone/shared';
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';

const SERVICE_DIR = path.resolve(__dirname, '..');
const REPO_ROOT = path.resolve(SERVICE_DIR, '..', '..');
export const ENGINE_BUNDLE = path.join(SERVICE_DIR, 'dist', 'engine.js');

/** The load balancer's address, and the processes' own ports after it. */
export const ENGINE_PORT = 4600;
export const LOCAL_REFRESH_SECRET_PARAM = 'rulesRefreshSecret';

export interface EngineInstance {
  name: string;
  url: string;
  /** The process's pid now (it changes when the process is started again). */
  pid(): number | undefined;
  /** Kills the process as a failed container would die (SIGKILL); it is started again. */
  kill(): void;
}

export interface LocalEngine {
  /** Where callers send requests (the load balancer). */
  url: string;
  instances: EngineInstance[];
  /** Resolves when every process answers its health check with "ready" (a rule set loaded). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalEngineOptions {
  /** The engine's environment: the local cloud's endpoints, the tables, PgBouncer, the refresh secret. */
  env: Record<string, string | undefined>;
  instances?: number;
  port?: number;
  log?: (line: string) => void;
}

const run = promisify(execFile);

/**
 * POSTs JSON to the engine (the demo's and the tests' requests), signed with `secret` as the invoke and refresh steps
 * sign (unsigned without one: the engine answers 401); its status and answer.
 */
export async function postJson(url: string, body: unknown, secret?: string) {
  const text = JSON.stringify(body);
  const signed = secret ? signatureHeaders(secret, { method: 'POST', path: new URL(url).pathname, body: text }) : {};
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** GETs JSON from the engine, signed with `secret`. */
export async function getJson(url: string, secret: string) {
  const signed = signatureHeaders(secret, { method: 'GET', path: new URL(url).pathname, body: '' });
  const response = await fetch(url, { headers: signed });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Bundles the engine (engine/build.mjs), as the image's build stage does. */
export async function buildEngine(): Promise<string> {
  await run(process.execPath, [path.join(SERVICE_DIR, 'engine', 'build.mjs')], { cwd: SERVICE_DIR });
  return ENGINE_BUNDLE;
}

const cloudDir = (env: Record<string, string | undefined>): string =>
  env['LOCAL_CLOUD_DIR'] ?? path.join(REPO_ROOT, '.local-cloud');

/** A process left by a run that was killed before it could stop its engine still holds the port: end it. */
function endLeftover(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  rmSync(pidFile, { force: true });
}

async function health(url: string): Promise<'ready' | 'loading' | 'down'> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.status === 200 ? 'ready' : 'loading';
  } catch {
    return 'down';
  }
}

export async function startLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  const log = options.log ?? (() => undefined);
  const count = options.instances ?? 2;
  const port = options.port ?? ENGINE_PORT;
  const began = Date.now();
  const bundle = await buildEngine();
  const logs = path.join(cloudDir(options.env), 'logs');
  const runDir = path.join(cloudDir(options.env), 'run');
  mkdirSync(logs, { recursive: true });
  mkdirSync(runDir, { recursive: true });

  let stopping = false;
  const processes: (ChildProcess | undefined)[] = [];
  const ready = new Array<boolean>(count).fill(false);

  const launch = (index: number): void => {
    const name = `rules-engine-${index + 1}`;
    // Named by port: engines on other ports (a test's own) are not this one's leftovers.
    const pidFile = path.join(runDir, `rules-engine-${port + 1 + index}.pid`);
    endLeftover(pidFile);
    const out = openSync(path.join(logs, `rules-engine-${port + 1 + index}.log`), 'a');
    // ENGINE_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it stops (where the engine's CPU goes).
    const profile = process.env['ENGINE_CPU_PROF']
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env['ENGINE_CPU_PROF']}`]
      : [];
    const child = spawn(process.execPath, [...profile, '--enable-source-maps', bundle], {
      cwd: path.dirname(bundle),
      env: { ...options.env, PORT: String(port + 1 + index), ENGINE_INSTANCE: name },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    processes[index] = child;
    if (child.pid) writeFileSync(pidFile, String(child.pid));
    child.once('exit', (code, signal) => {
      ready[index] = false;
      rmSync(pidFile, { force: true });
      if (stopping) return;
      log(`${name} exited (${signal ?? `code ${code}`}); starting it again, as ECS replaces a task`);
      setTimeout(() => launch(index), 500);
    });
  };
  for (let i = 0; i < count; i++) launch(i);
  const instances: EngineInstance[] = Array.from({ length: count }, (_, i) => ({
    name: `rules-engine-${i + 1}`,
    url: `http://127.0.0.1:${port + 1 + i}`,
    pid: () => processes[i]?.pid,
    kill: () => processes[i]?.kill('SIGKILL'),
  }));

  // The target group's health check.
  const check = async () => {
    await Promise.all(instances.map(async (instance, i) => (ready[i] = (await health(instance.url)) === 'ready')));
  };
  const checker = setInterval(() => void check(), 1_000);
  checker.unref();

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  const pick = (): EngineInstance | undefined => {
    for (let tried = 0; tried < count; tried++) {
      const i = next++ % count;
      if (ready[i]) return instances[i];
    }
    return undefined;
  };
  const balancer = http.createServer((request, response) => {
    const target = pick();
    if (!target) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ error: 'no rules engine is ready (as the load balancer answers with no healthy target)' }),
      );
      return;
    }
    const upstream = http.request(
      `${target.url}${request.url ?? '/'}`,
      { method: request.method, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', (error) => {
      if (response.headersSent) return response.destroy(error);
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `the rules engine ${target.name} did not answer: ${error.message}` }));
    });
    request.pipe(upstream);
  });
  balancer.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    balancer.once('error', reject);
    balancer.listen(port, '127.0.0.1', () => resolve());
  });
  log(
    `rules engine: ${count} processes behind http://127.0.0.1:${port} (built and started in ${Date.now() - began} ms)`,
  );

  return {
    url: `http://127.0.0.1:${port}`,
    instances,
    async ready(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        await check();
        if (ready.every(Boolean)) return;
        if (Date.now() > until)
          throw new Error(
            `the rules engine is not ready after ${timeoutMs} ms (ready: ${ready.join(', ')}); ` +
              `see .local-cloud/logs/rules-engine-<port>.log`,
          );
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      stopping = true;
      clearInterval(checker);
      const closed = new Promise<void>((resolve) => balancer.close(() => resolve()));
      balancer.closeAllConnections();
      await closed;
      agent.destroy();
      await Promise.all(
        processes.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
            }),
        ),
      );
    },
  };
}
