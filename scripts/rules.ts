/**
 * npm run rules -- <migrate|seed|validate|publish> against the local cloud: the rules-ingestion CLI
 * with the local environment and the bucket and queue names from its serverless.yml (stage local).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { localEnvironment, LOCAL_STAGE } from './local-cloud/environment';
import { REPO_ROOT } from './local-cloud/layout';
import { resolveService } from './local-cloud/services';

export async function rulesIngestionEnvironment(): Promise<Record<string, string>> {
  const resolved = await resolveService('rules-ingestion', LOCAL_STAGE);
  const names = resolved.custom.names as { rulesBucket: string; ruleSetPublishedQueue: string };
  return {
    ...localEnvironment(),
    RULES_BUCKET: names.rulesBucket,
    RULE_SET_PUBLISHED_QUEUE_NAME: names.ruleSetPublishedQueue,
  };
}

async function main(): Promise<void> {
  const env = { ...process.env, ...(await rulesIngestionEnvironment()) };
  const cli = path.join(REPO_ROOT, 'services', 'rules-ingestion', 'src', 'cli.ts');
  const result = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  process.exit(result.status ?? 1);
}

if (require.main === module) void main();
