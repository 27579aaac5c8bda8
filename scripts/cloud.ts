/**
 * The local cloud: install on first use, start, stop, inspect.
 *
 *   npm run cloud:up       install what is missing, start everything, wait until each answers
 *   npm run cloud:down     stop only what "up" started
 *   npm run cloud:status   a table of components, ports, states and memory
 *   npm run cloud:logs [component] [-f]
 *   npm run cloud:wipe [-- --all]   stop, then delete the data (with --all, the downloads too)
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { printTable, readCommandLine, runTool } from '@backbone/shared/local';
import { COMPONENTS, findComponent, type Component } from './local-cloud/components';
import { applyLocalEnvironment } from './local-cloud/environment';
import { CLOUD_DIR, LOG_DIR, PORTS, SERVICE_USER_DIR } from './local-cloud/layout';
import {
  describePortHolder,
  isAlive,
  isPortOpen,
  launch,
  logFile,
  readPid,
  residentMemoryMiB,
  sleep,
  stop,
  tail,
} from './local-cloud/processes';

type State = 'ready' | 'starting' | 'not answering' | 'stopped' | 'died';

interface ComponentStatus {
  component: Component;
  pid?: number;
  state: State;
  detail?: string;
}

async function probeOnce(component: Component): Promise<string | undefined> {
  try {
    await component.probe();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
}

async function statusOf(component: Component): Promise<ComponentStatus> {
  const pid = readPid(component.name);
  if (pid === undefined) return { component, state: 'stopped' };
  if (!isAlive(pid)) return { component, pid, state: 'died', detail: `see ${logFile(component.name)}` };
  const problem = await probeOnce(component);
  return problem === undefined
    ? { component, pid, state: 'ready' }
    : { component, pid, state: 'not answering', detail: problem };
}

async function waitUntilReady(component: Component, pid: number, startedAt: number): Promise<void> {
  const deadline = startedAt + component.startTimeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      throw new Error(
        `${component.name} exited during start-up. Last log lines (${logFile(component.name)}):\n${tail(logFile(component.name), 15)}`,
      );
    }
    const problem = await probeOnce(component);
    if (problem === undefined) return;
    lastProblem = problem;
    await sleep(500);
  }
  throw new Error(
    `${component.name} did not answer within ${component.startTimeoutMs / 1000} s (last error: ${lastProblem}). ` +
      `Log: ${logFile(component.name)}`,
  );
}

interface StartOutcome {
  started: boolean;
  summary: string;
}

async function startComponent(component: Component): Promise<StartOutcome> {
  const status = await statusOf(component);
  if (status.state === 'ready') return { started: false, summary: 'already running' };
  if (status.state === 'not answering' && status.pid !== undefined) {
    // Started by us but not (yet) answering: give it its start-up window before judging.
    await waitUntilReady(component, status.pid, Date.now());
    return { started: false, summary: 'already running' };
  }
  const restarted = status.state === 'died';
  if (await isPortOpen(component.port)) {
    throw new Error(
      `port ${component.port} (${component.name}) is already in use by ${describePortHolder(component.port)}. ` +
        `Stop that process, or free the port, then run "npm run cloud:up" again.`,
    );
  }
  await component.prepare?.();
  const startedAt = Date.now();
  const pid = launch(component.name, component.launch());
  await waitUntilReady(component, pid, startedAt);
  await component.afterReady?.();
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  return {
    started: true,
    summary: restarted ? `restarted after it had died (${seconds} s)` : `started in ${seconds} s`,
  };
}

export const describeWhereDataLives = (): string =>
  SERVICE_USER_DIR === CLOUD_DIR ? CLOUD_DIR : `${CLOUD_DIR} (PostgreSQL and PgBouncer: ${SERVICE_USER_DIR})`;

/**
 * Before installing or starting anything: every port a component of ours needs that something else holds, all at
 * once, each with what holds it (another checkout's local cloud is named), so a second clone on the same machine
 * stops here instead of half-starting beside the first.
 */
async function refuseTakenPorts(): Promise<void> {
  const taken: string[] = [];
  for (const component of COMPONENTS) {
    const pid = readPid(component.name);
    if (pid !== undefined && isAlive(pid)) continue;
    if (await isPortOpen(component.port)) {
      taken.push(
        `  ${String(component.port).padEnd(5)} ${component.name.padEnd(10)} ${describePortHolder(component.port)}`,
      );
    }
  }
  if (taken.length === 0) return;
  throw new Error(
    `${taken.length} port(s) the local cloud needs are taken:\n${taken.join('\n')}\n` +
      'Only one local cloud runs on a machine at a time. Stop the other one ("npm run cloud:down" in its checkout), ' +
      'or stop the process named, then run this again.',
  );
}

/** Brings every component up; returns the names of those this call started (the others were already running). */
export async function up(): Promise<string[]> {
  if (usesExternalCloud()) {
    await checkExternalCloud();
    return [];
  }
  const began = Date.now();
  console.log(`local cloud: ${describeWhereDataLives()}`);
  await refuseTakenPorts();
  // Maven installs run one after another (they share ~/.m2); other installs overlap with them.
  const viaMaven = COMPONENTS.filter((c) => c.installsWithMaven);
  await Promise.all([
    viaMaven.reduce((chain, c) => chain.then(() => c.install()), Promise.resolve()),
    ...COMPONENTS.filter((c) => !c.installsWithMaven).map((c) => c.install()),
  ]);
  // The gateway fronts the emulators: start the rest together, then the gateway.
  const gateway = COMPONENTS.filter((c) => c.name === 'gateway');
  const others = COMPONENTS.filter((c) => c.name !== 'gateway');
  const started: string[] = [];
  const report = async (component: Component): Promise<void> => {
    const outcome = await startComponent(component);
    if (outcome.started) started.push(component.name);
    console.log(`  ${component.name.padEnd(10)} ${outcome.summary}`);
  };
  const results = await Promise.allSettled(others.map(report));
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures)
      console.error(`\n${failure.reason instanceof Error ? failure.reason.message : failure.reason}`);
    throw new Error(`${failures.length} component(s) failed to start; "npm run cloud:status" shows the rest.`);
  }
  for (const component of gateway) await report(component);
  console.log(
    `local cloud ready in ${((Date.now() - began) / 1000).toFixed(1)} s; AWS endpoint http://127.0.0.1:${PORTS.gateway}`,
  );
  return started;
}

/**
 * LOCAL_CLOUD=external: somebody else runs the cloud on the same ports (LocalStack on 4566, Cassandra, PostgreSQL
 * and PgBouncer: localstack/README.md); start nothing, only check that each answers.
 */
export const usesExternalCloud = (): boolean => process.env.LOCAL_CLOUD === 'external';
const EXTERNAL_COMPONENTS = ['gateway', 'cassandra', 'postgres', 'pgbouncer'];

async function checkExternalCloud(): Promise<void> {
  const problems: string[] = [];
  for (const component of COMPONENTS.filter((c) => EXTERNAL_COMPONENTS.includes(c.name))) {
    const problem = await probeOnce(component);
    console.log(
      `  ${component.name.padEnd(10)} port ${component.port}: ${problem === undefined ? 'answering' : problem}`,
    );
    if (problem !== undefined) problems.push(component.name);
  }
  if (problems.length > 0) {
    throw new Error(
      `LOCAL_CLOUD=external, but ${problems.join(', ')} did not answer. Start them ` +
        `yourself (localstack/README.md), or unset LOCAL_CLOUD to use the built-in local cloud.`,
    );
  }
}

/** Stops the named components (all by default), gateway first so nothing reaches an emulator that is going away. */
export async function down(names: readonly string[] = COMPONENTS.map((c) => c.name)): Promise<void> {
  if (usesExternalCloud()) {
    console.log('LOCAL_CLOUD=external: nothing to stop here (stop it where you started it)');
    return;
  }
  const outcomes = await Promise.all(
    [...COMPONENTS]
      .reverse()
      .filter((component) => names.includes(component.name))
      .map(async (component) => [component.name, await stop(component.name)] as const),
  );
  for (const [name, outcome] of outcomes) console.log(`  ${name.padEnd(10)} ${outcome}`);
}

/**
 * Stops everything, then deletes what the components keep: each one's data and the logs; with `all`, the local
 * cloud's whole folder too (downloads included: the next start installs again, from the local Maven and pip caches).
 */
async function wipe(all: boolean): Promise<void> {
  await down();
  const doomed = [
    ...COMPONENTS.flatMap((component) => component.dataDirs?.() ?? []),
    LOG_DIR,
    ...(SERVICE_USER_DIR === CLOUD_DIR ? [] : [SERVICE_USER_DIR]),
    ...(all ? [CLOUD_DIR] : []),
  ];
  for (const dir of doomed) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`  removed ${dir}`);
  }
}

async function status(): Promise<boolean> {
  const rows = (await Promise.all(COMPONENTS.map(statusOf))).map((row) => ({
    ...row,
    rssMiB: row.pid && isAlive(row.pid) ? residentMemoryMiB(row.pid) : undefined,
  }));
  const table = rows.map((row) => ({
    component: row.component.name,
    port: String(row.component.port),
    pid: row.pid && isAlive(row.pid) ? String(row.pid) : '-',
    state: row.state,
    'rss MiB': row.rssMiB === undefined ? '-' : String(row.rssMiB),
    what: row.component.what,
    detail: row.detail ?? '',
  }));
  printTable(table);
  const total = rows.reduce((sum, row) => sum + (row.rssMiB ?? 0), 0);
  console.log(`total resident memory: ${total} MiB`);
  return rows.every((row) => row.state === 'ready');
}

/** The components' last log lines, or (following) their logs as they grow until interrupted. */
async function logs(names: readonly string[], follow: boolean): Promise<number> {
  const components = names.length > 0 ? names.map(findComponent) : COMPONENTS;
  if (follow) {
    const child = spawn('tail', ['-n', '20', '-F', ...components.map((c) => logFile(c.name))], { stdio: 'inherit' });
    return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 0)));
  }
  for (const component of components) {
    console.log(`==> ${component.name} (${logFile(component.name)}) <==`);
    console.log(tail(logFile(component.name), 30));
  }
  return 0;
}

const USAGE =
  'usage: npm run cloud:up | cloud:down [-- component ...] | cloud:status | cloud:logs [-- component ...] [-f] | ' +
  'cloud:wipe [-- --all]';

async function main(): Promise<number> {
  applyLocalEnvironment();
  const { command, values, positionals } = readCommandLine(
    process.argv.slice(2),
    { follow: { type: 'boolean', short: 'f', default: false }, all: { type: 'boolean', default: false } },
    USAGE,
  );
  switch (command) {
    case 'up':
      await up();
      return 0;
    case 'down':
      // Named components only (findComponent refuses an unknown name, listing the known ones), or all of them.
      await down(positionals.length > 0 ? positionals.map((name) => findComponent(name).name) : undefined);
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    case 'logs':
      return logs(positionals, values.follow);
    case 'wipe':
      await wipe(values.all);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

if (require.main === module) runTool('cloud', main);
