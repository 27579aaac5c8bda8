import { spawnSync } from 'node:child_process';
import type { LocalContext } from '@backbone/shared/local';
import { applyLocalEnvironment } from './environment';
import { findService, localContext } from './services';

/**
 * Runs a service's command-line tool against the local cloud, with the environment its functions get from
 * serverless.yml for the local stage, passing this process's arguments on; exits with the tool's status.
 */
export async function runServiceCli(
  serviceName: string,
  cli: string,
  functionEnvironment: (context: LocalContext) => Promise<Record<string, string | undefined>>,
): Promise<never> {
  applyLocalEnvironment();
  const env = await functionEnvironment(localContext(findService(serviceName)));
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  process.exit(result.status ?? 1);
}
