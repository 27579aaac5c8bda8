/**
 * Demo traffic for rules: the seed catalogue goes into PostgreSQL, rules-ingestion publishes it
 * (rules file in S3, announcement on snoop-scheduler's queue) and snoop-scheduler activates it.
 * Then a malformed announcement shows where bad input goes, and why.
 */
import { readFileSync } from 'node:fs';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  createPostgresDefinitionSource,
  upsertDefinitions,
  type StoredDefinitionRow,
} from '../../services/rules-ingestion/src/adapters/postgres';
import { SEED_CATALOGUE } from '../../services/rules-ingestion/src/cli';
import { createRulesIngestion } from '../../services/rules-ingestion/src/composition-root';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  loadConfig,
} from '../../shared/src';
import { peekMessages, waitFor } from '../../shared/src/testing';
import { rulesIngestionEnvironment } from '../rules';

const RULE_SETS_TABLE = 'snoop-scheduler-local-rule-sets';

export async function demoRules(): Promise<string[]> {
  const env = { ...process.env, ...(await rulesIngestionEnvironment()) };
  const ingestion = createRulesIngestion(env);
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema, env));
  const sqs = createSqsClient(aws);
  const documents = createDocumentClient(aws);
  const lines: string[] = [];
  try {
    const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
    await upsertDefinitions(ingestion.pool, catalogue, 'npm-start-demo');
    const active = (await createPostgresDefinitionSource(ingestion.pool).loadActive()).length;
    lines.push(`PostgreSQL: ${catalogue.length} snoop definitions seeded, ${active} active`);

    const began = Date.now();
    const outcome = await ingestion.publish('npm-start-demo');
    if (outcome.status === 'invalid') throw new Error(`the seed catalogue is invalid: ${outcome.errors[0]?.message}`);
    if (outcome.status === 'unchanged') {
      lines.push(
        `rules-ingestion: rule set ${outcome.version.slice(0, 12)}… (${outcome.ruleCount} snoops) was already published; nothing written`,
      );
    } else {
      const { published } = outcome;
      lines.push(
        `rules-ingestion: published rule set ${published.ruleSetVersion.slice(0, 12)}… (${published.ruleCount} snoops) to s3://${published.location.bucket}/${published.location.key}`,
      );
      await waitFor('snoop-scheduler to activate the rule set', async () => {
        const item = (
          await documents.send(
            new GetCommand({ TableName: RULE_SETS_TABLE, Key: { pk: 'ACTIVE' }, ConsistentRead: true }),
          )
        ).Item;
        return item?.ruleSetVersion === published.ruleSetVersion ? true : undefined;
      });
      lines.push(`snoop-scheduler: rule set active ${Date.now() - began} ms after publishing`);
    }

    // A producer that ignores the contract: the consumer sends it to the DLQ with the reason.
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: env.RULE_SET_PUBLISHED_QUEUE_NAME })))
      .QueueUrl!;
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: `${env.RULE_SET_PUBLISHED_QUEUE_NAME}-dlq` })))
      .QueueUrl!;
    const malformedId = `demo-malformed-${Date.now()}`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          id: malformedId,
          type: 'RuleSetPublished',
          version: 1,
          occurredAt: new Date().toISOString(),
          correlationId: malformedId,
          data: { ruleSetVersion: 'not-a-hash', ruleCount: 'many' },
        }),
      }),
    );
    const dead = await waitFor('the malformed announcement in the DLQ', async () =>
      (await peekMessages(sqs, dlqUrl)).find((m) => m.Body?.includes(malformedId)),
    );
    lines.push(
      `malformed announcement -> DLQ: ${dead.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue ?? '(no reason)'}`,
    );
    return lines;
  } finally {
    await ingestion.close();
    sqs.destroy();
    documents.destroy();
  }
}
