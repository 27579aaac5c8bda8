/**
 * npm start's story for rules-ingestion: the seeded definitions are validated and published (the rules file
 * to S3, the announcement to snoop-scheduler's queue), as the CLI and the HTTP endpoint do it.
 */
import type { LocalContext } from '@backbone/shared/local';
import { createRulesIngestion } from '../src/composition-root';

/** The environment the service's functions get in serverless.yml for this stage, over the local cloud's. */
export async function functionEnvironment(context: LocalContext): Promise<Record<string, string | undefined>> {
  const resolved = await context.serverless();
  return { ...context.env, ...(resolved.functions.publishRuleSet?.environment ?? {}) };
}

export async function demoRules(context: LocalContext): Promise<string[]> {
  const ingestion = createRulesIngestion(await functionEnvironment(context));
  try {
    const outcome = await ingestion.publish('npm-start-demo');
    if (outcome.status === 'invalid') throw new Error(`the seed catalogue is invalid: ${outcome.errors[0]?.message}`);
    if (outcome.status === 'unchanged')
      return [
        `rule set ${outcome.version.slice(0, 12)}… (${outcome.ruleCount} snoops) was already published; nothing written`,
      ];
    const { published } = outcome;
    return [
      `published rule set ${published.ruleSetVersion.slice(0, 12)}… (${published.ruleCount} snoops) to ` +
        `s3://${published.location.bucket}/${published.location.key}, announced to snoop-scheduler`,
    ];
  } finally {
    await ingestion.close();
  }
}
