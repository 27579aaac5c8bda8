/**
 * npm run device -- <migrate|history|check> against the local cloud: the device-ownership CLI with the
 * environment its functions get in serverless.yml for the local stage (Cassandra, the rules' settings).
 */
import { spawnSync } from 'node:child_process';
import { CLI, functionEnvironment } from '@backbone/device-ownership/local';
import { applyLocalEnvironment } from './local-cloud/environment';
import { findService, localContext } from './local-cloud/services';

const SERVICE = 'device-ownership';

async function main(): Promise<void> {
  applyLocalEnvironment();
  const service = findService(SERVICE);
  const env = await functionEnvironment(localContext(service));
  const result = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  process.exit(result.status ?? 1);
}

if (require.main === module) void main();
