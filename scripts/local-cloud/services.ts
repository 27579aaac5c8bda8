/**
 * The services, as tooling sees them: each folder in services/ with its public face for local runs
 * (`@backbone/<name>/local`), which says what kind of service it is and what it brings to a local run.
 * Nothing here knows a service by name.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  hasLambdas,
  SERVICE_KINDS,
  type LocalContext,
  type LocalProcess,
  type LocalServiceFace,
  type ResolvedServerless,
} from '@backbone/shared/local';
import { localEnvironment, LOCAL_STAGE } from './environment';
import { REPO_ROOT } from './layout';

const run = promisify(execFile);

export const SERVICES_DIR = path.join(REPO_ROOT, 'services');
export const SERVERLESS_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless');

export interface LocalService {
  /** The folder's name, which is also the Serverless service's name. */
  name: string;
  dir: string;
  face: LocalServiceFace;
}

/** Checks what a face declares against what its folder holds; every problem says what to add. */
export function faceProblems(name: string, face: unknown, files: { serverlessYml: boolean }): string[] {
  const declared = face as Partial<LocalServiceFace> | undefined;
  if (!declared || typeof declared !== 'object')
    return [
      `services/${name}/local/index.ts must export "localService" (a LocalServiceFace from @backbone/shared/local)`,
    ];
  if (!SERVICE_KINDS.includes(declared.kind!))
    return [`services/${name}: localService.kind must be one of ${SERVICE_KINDS.join(', ')}`];
  const problems: string[] = [];
  if (hasLambdas(declared.kind!) && !files.serverlessYml)
    problems.push(`services/${name} is of kind "${declared.kind}" but has no serverless.yml`);
  for (const hook of ['migrate', 'seed', 'start', 'demo'] as const)
    if (declared[hook] !== undefined && typeof declared[hook] !== 'function')
      problems.push(`services/${name}: localService.${hook} must be a function`);
  return problems;
}

/** One service's face, loaded from its folder; the problems found instead, each saying what to add. */
function loadFace(name: string): LocalService | string[] {
  const dir = path.join(SERVICES_DIR, name);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, string>;
  };
  if (!pkg.exports?.['./local'])
    return [`services/${name}/package.json must export its public face: "exports": {"./local": "./local/index.ts"}`];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- faces are found at run time, by folder
  const face = (require(`${pkg.name}/local`) as { localService?: unknown }).localService;
  const problems = faceProblems(name, face, { serverlessYml: existsSync(path.join(dir, 'serverless.yml')) });
  return problems.length > 0 ? problems : { name, dir, face: face as LocalServiceFace };
}

const serviceFolders = (): string[] =>
  readdirSync(SERVICES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(SERVICES_DIR, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort();

/** Every service, in name order, with its face loaded; throws with every problem found. */
export function discoverServices(): LocalService[] {
  const loaded = serviceFolders().map(loadFace);
  const problems = loaded.filter((l): l is string[] => Array.isArray(l)).flat();
  if (problems.length > 0) throw new Error(`services are not set up for local runs:\n  ${problems.join('\n  ')}`);
  return loaded as LocalService[];
}

/** One service, for a tool that works on it alone: only its face is loaded, not every service's. */
export function findService(name: string): LocalService {
  const folders = serviceFolders();
  if (!folders.includes(name)) throw new Error(`no service "${name}"; services: ${folders.join(', ')}`);
  const loaded = loadFace(name);
  if (Array.isArray(loaded))
    throw new Error(`services/${name} is not set up for local runs:\n  ${loaded.join('\n  ')}`);
  return loaded;
}

/** Starts what each service brings locally besides its functions (stand-ins, containers). */
export async function startLocalProcesses(services: readonly LocalService[]): Promise<LocalProcess[]> {
  const processes: LocalProcess[] = [];
  for (const service of services)
    if (service.face.start) processes.push(...(await service.face.start(localContext(service))));
  return processes;
}

/** The services Serverless Framework deploys (their resources are provisioned, their functions run offline). */
export const serverlessServices = (services: readonly LocalService[]): LocalService[] =>
  services.filter((s) => hasLambdas(s.face.kind));

/**
 * Services in the order their demos run: each after those it names in demoAfter (then by name). A name that
 * is not a service, or a cycle, is an error that says which.
 */
export function demoOrder(services: readonly LocalService[]): LocalService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: LocalService[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: LocalService, path: string[]): void => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting')
      throw new Error(`demoAfter forms a cycle: ${[...path, service.name].join(' -> ')}`);
    state.set(service.name, 'visiting');
    for (const before of service.face.demoAfter ?? []) {
      const other = byName.get(before);
      if (!other) throw new Error(`services/${service.name}: demoAfter names "${before}", which is not a service`);
      visit(other, [...path, service.name]);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) visit(service, []);
  return ordered;
}

/** What a face is handed in a local run: the local environment, its resolved serverless.yml, progress lines. */
export function localContext(service: LocalService, stage = LOCAL_STAGE, log = console.log): LocalContext {
  return {
    env: { ...process.env, ...localEnvironment() },
    stage,
    serverless: () => resolveService(service.name, stage),
    log: (line) => log(`[${service.name}] ${line}`),
  };
}

/** Environment for running the Serverless Framework here: no telemetry, no prompts. */
export function frameworkEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface ResolvedService extends ResolvedServerless {
  service: string;
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const resolved = new Map<string, Promise<ResolvedService>>();

/**
 * The service's serverless.yml with every variable resolved, as the framework sees it for that stage.
 * "serverless print" takes seconds, and provisioning, the offline runner and the demo all need it:
 * each service is resolved once per process.
 */
export function resolveService(name: string, stage: string): Promise<ResolvedService> {
  const key = `${name}@${stage}`;
  let result = resolved.get(key);
  if (!result) {
    const handed = handedOver(key);
    result = handed ? Promise.resolve(handed) : printService(name, stage);
    resolved.set(key, result);
    result.catch(() => resolved.delete(key));
  }
  return result;
}

/**
 * A process that resolved the services hands them to the processes it starts for the same run (npm test to the
 * integration tests' set-up, which would otherwise print them all again): a folder of `<service>@<stage>.json`
 * named by this variable.
 */
export const HANDED_OVER_SERVICES = 'LOCAL_RESOLVED_SERVICES_DIR';

/** Writes every service this process has resolved into `dir`; returns the variables that hand them over. */
export async function handOverResolvedServices(dir: string): Promise<Record<string, string>> {
  mkdirSync(dir, { recursive: true });
  for (const [key, result] of resolved)
    writeFileSync(path.join(dir, `${key}.json`), JSON.stringify(await result.catch(() => null)));
  return { [HANDED_OVER_SERVICES]: dir };
}

function handedOver(key: string): ResolvedService | undefined {
  const dir = process.env[HANDED_OVER_SERVICES];
  const file = dir ? path.join(dir, `${key}.json`) : undefined;
  if (!file || !existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as ResolvedService | null) ?? undefined;
}

async function printService(name: string, stage: string): Promise<ResolvedService> {
  try {
    const { stdout } = await run(SERVERLESS_BIN, ['print', '--stage', stage, '--format', 'json'], {
      cwd: path.join(SERVICES_DIR, name),
      env: frameworkEnvironment(),
      maxBuffer: 32 * 1024 * 1024,
    });
    const config = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      resources?: { Resources?: ResolvedService['resources'] };
      functions?: ResolvedService['functions'];
      custom?: Record<string, unknown>;
    };
    return {
      service: name,
      resources: config.resources?.Resources ?? {},
      functions: config.functions ?? {},
      custom: config.custom ?? {},
    };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`"serverless print" failed for services/${name}:\n${detail.slice(-2000)}`);
  }
}
