import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './layout';

const run = promisify(execFile);

export const SERVICES_DIR = path.join(REPO_ROOT, 'services');
export const SERVERLESS_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless');

export function serviceNames(): string[] {
  return readdirSync(SERVICES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
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

export interface ResolvedService {
  service: string;
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  functions: Record<string, { environment?: Record<string, string> }>;
  custom: Record<string, unknown>;
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
    result = printService(name, stage);
    resolved.set(key, result);
    result.catch(() => resolved.delete(key));
  }
  return result;
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
