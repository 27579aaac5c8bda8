/**
 * npm run rules -- <migrate|seed|validate|publish> against the local cloud: the rules-ingestion CLI with the
 * environment its functions get in serverless.yml for the local stage (bucket, queue, database).
 */
import { spawnSync } from 'node:child_process';
import { CLI, functionEnvironment } from '@backbone/rules-ingestion/local';
import { applyLocalEnvironment } from './local-cloud/environment';
import { findService, localContext } from './local-cloud/services';

const SERVICE = 'rules-ingestion';

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
