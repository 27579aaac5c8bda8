/**
 * npm start's story for rules-ingestion: the seeded definitions are validated and published through the HTTP
 * endpoint business users' tools call (AWS_IAM: SigV4-signed with the local credentials), which writes the rules
 * file to S3 and announces it to snoop-scheduler; an unsigned call is refused.
 */
import { awsEnvironmentSchema, createSignedFetch, loadConfig } from '@backbone/shared';
import type { LocalContext } from '@backbone/shared/local';
import { z } from 'zod';

/** The environment the service's functions get in serverless.yml for this stage, over the local cloud's. */
export async function functionEnvironment(context: LocalContext): Promise<Record<string, string | undefined>> {
  const resolved = await context.serverless();
  return { ...context.env, ...(resolved.functions.publishRuleSet?.environment ?? {}) };
}

const DEMO_ACCESS_KEY = 'npm-start-demo';

export async function demoRules(context: LocalContext): Promise<string[]> {
  const offline = (await context.serverless()).custom['serverless-offline'] as { httpPort: number };
  const api = `http://127.0.0.1:${offline.httpPort}`;
  const { AWS_REGION, AWS_SECRET_ACCESS_KEY } = loadConfig(
    awsEnvironmentSchema.extend({ AWS_SECRET_ACCESS_KEY: z.string().min(1, 'set the local credentials') }),
    context.env,
    'rules-ingestion demo',
  );
  const signed = createSignedFetch({
    credentials: { accessKeyId: DEMO_ACCESS_KEY, secretAccessKey: AWS_SECRET_ACCESS_KEY },
    region: AWS_REGION,
  });
  const lines: string[] = [];
  const refused = await fetch(`${api}/rule-sets`, { method: 'POST' });
  lines.push(
    `POST /rule-sets unsigned -> ${refused.status}: ${((await refused.json()) as { message: string }).message.split('.')[0]}`,
  );

  const response = await signed(`${api}/rule-sets`, { method: 'POST' });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status === 201)
    lines.push(
      `POST /rule-sets signed as ${DEMO_ACCESS_KEY} -> 201: rule set ${String(body.ruleSetVersion).slice(0, 12)}… ` +
        `(${String(body.ruleCount)} snoops) published by ${String(body.publishedBy)}, announced to snoop-scheduler`,
    );
  else if (response.status === 200)
    lines.push(
      `POST /rule-sets signed as ${DEMO_ACCESS_KEY} -> 200: rule set ${String(body.ruleSetVersion).slice(0, 12)}… ` +
        `(${String(body.ruleCount)} snoops) was already published; nothing written`,
    );
  else throw new Error(`publishing the seed catalogue answered ${response.status}: ${JSON.stringify(body)}`);
  return lines;
}
