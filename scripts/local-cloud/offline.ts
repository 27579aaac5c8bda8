import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { localEnvironment, LOCAL_STAGE } from './environment';
import { LOG_DIR, RUN_DIR } from './layout';
import { isPortOpen, sleep } from './processes';
import { frameworkEnvironment, resolveService, SERVERLESS_BIN, SERVICES_DIR } from './services';

export interface RunningService extends ServicePorts {
  name: string;
  /** The serverless-offline process now running (a new one after a restart). */
  process: ChildProcess;
  started: boolean;
  /** When it was restarted within the last minute. */
  restarts: number[];
}

/** A service that keeps dying is left stopped, with where to look, rather than restarted forever. */
const MAX_RESTARTS_PER_MINUTE = 5;

export interface OfflineFleet {
  services: RunningService[];
  stop(): Promise<void>;
}

interface StartOptions {
  /** 'inherit' prints prefixed lines to this terminal; 'file' writes .local-cloud/logs/offline-<service>.log. */
  output: 'inherit' | 'file';
  timeoutMs?: number;
}

interface ServicePorts {
  httpPort: number;
  lambdaPort: number;
  /** serverless-offline opens its ports only for services that have functions. */
  hasFunctions: boolean;
}

async function portsOf(name: string): Promise<ServicePorts> {
  const resolved = await resolveService(name, LOCAL_STAGE);
  const offline = (resolved.custom['serverless-offline'] ?? {}) as { httpPort?: number; lambdaPort?: number };
  if (!offline.httpPort || !offline.lambdaPort) {
    throw new Error(`services/${name}/serverless.yml must set custom.serverless-offline.httpPort and lambdaPort`);
  }
  return {
    httpPort: offline.httpPort,
    lambdaPort: offline.lambdaPort,
    hasFunctions: Object.keys(resolved.functions).length > 0,
  };
}

const OFFLINE_STARTED = /Starting Offline at stage/;

const pidFile = (service: string): string => path.join(RUN_DIR, `offline-${service}.pid`);

/**
 * The process group of a service's serverless-offline now running (written at each start and restart), for tools
 * and fault tests that need to find it; undefined when none was started.
 */
export function offlineProcessGroup(service: string): number | undefined {
  try {
    return Number(readFileSync(pidFile(service), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Starts services in serverless-offline (stage "local") against the local cloud;
 * SQS-triggered functions consume through serverless-offline-sqs. Resolves once
 * every service's Lambda endpoint accepts connections.
 */
export async function startServices(names: string[], options: StartOptions): Promise<OfflineFleet> {
  const ports = await Promise.all(names.map(portsOf));
  for (const [i, name] of names.entries()) {
    if (!ports[i]!.hasFunctions) continue;
    for (const port of [ports[i]!.httpPort, ports[i]!.lambdaPort]) {
      if (await isPortOpen(port)) {
        throw new Error(`port ${port} for ${name} is already in use: is "npm start" already running elsewhere?`);
      }
    }
  }
  mkdirSync(LOG_DIR, { recursive: true });
  let stopping = false;
  const spawnOffline = (running: RunningService): ChildProcess => {
    const child = spawn(SERVERLESS_BIN, ['offline', 'start', '--stage', LOCAL_STAGE], {
      cwd: path.join(SERVICES_DIR, running.name),
      // serverless-offline-sqs polls with the AWS SDK v2, which reuses connections only when told to.
      env: { ...frameworkEnvironment(), ...localEnvironment(), AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    mkdirSync(RUN_DIR, { recursive: true });
    writeFileSync(pidFile(running.name), String(child.pid));
    const log =
      options.output === 'file'
        ? createWriteStream(path.join(LOG_DIR, `offline-${running.name}.log`), { flags: 'a' })
        : undefined;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (OFFLINE_STARTED.test(line)) running.started = true;
        if (log) log.write(`${line}\n`);
        else console.log(`[${running.name}] ${line}`);
      });
    }
    // A service that dies once it has started (killed, out of memory, a crash the framework did not catch) is
    // started again, as Lambda would run the function again: its queue's messages wait, none is lost.
    child.once('exit', (code, signal) => {
      if (stopping || !running.started) return;
      const recent = (running.restarts = running.restarts.filter((at) => Date.now() - at < 60_000));
      if (recent.length >= MAX_RESTARTS_PER_MINUTE) {
        console.error(
          `[${running.name}] serverless-offline exited (${signal ?? `code ${code}`}) ${recent.length} times within a ` +
            `minute; not restarting it again. See ${path.join(LOG_DIR, `offline-${running.name}.log`)}.`,
        );
        return;
      }
      running.restarts.push(Date.now());
      console.error(`[${running.name}] serverless-offline exited (${signal ?? `code ${code}`}); restarting it`);
      running.started = false;
      running.process = spawnOffline(running);
    });
    return child;
  };
  const services: RunningService[] = names.map((name, i) => {
    const running = { name, ...ports[i]!, started: false, restarts: [] } as unknown as RunningService;
    running.process = spawnOffline(running);
    return running;
  });

  const fleet: OfflineFleet = {
    services,
    async stop() {
      stopping = true;
      await Promise.all(
        services.map(
          (service) =>
            new Promise<void>((resolve) => {
              if (service.process.exitCode !== null || service.process.signalCode !== null) return resolve();
              service.process.once('exit', () => resolve());
              try {
                process.kill(-service.process.pid!, 'SIGTERM');
              } catch {
                resolve();
              }
              setTimeout(() => {
                try {
                  process.kill(-service.process.pid!, 'SIGKILL');
                } catch {
                  // gone
                }
              }, 10_000).unref();
            }),
        ),
      );
    },
  };

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (const service of services) {
    const ready = async (): Promise<boolean> =>
      service.hasFunctions ? isPortOpen(service.lambdaPort) : service.started;
    while (!(await ready())) {
      if (service.process.exitCode !== null) {
        await fleet.stop();
        throw new Error(
          `${service.name} exited during start-up (code ${service.process.exitCode}); see its output above or in ${LOG_DIR}`,
        );
      }
      if (Date.now() > deadline) {
        await fleet.stop();
        throw new Error(`${service.name} did not start serverless-offline within the time allowed`);
      }
      await sleep(250);
    }
  }
  return fleet;
}
