import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDeadLetterQueueSink,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSqsClient,
  loadConfig,
  QueueUrlResolver,
  sqsVisibilityBackoff,
} from '@backbone/shared';
import { z } from 'zod';
import { createDynamoDbRuleSetStore } from '../../adapters/dynamodb-rule-set-store';
import { SERVICE } from '../../service';
import type { RuleSetPublishedDeps } from './handler';

const ruleSetPublishedConfigSchema = awsEnvironmentSchema.extend({
  RULE_SETS_TABLE: z.string().min(3),
  DEAD_LETTER_QUEUE_NAME: z.string().min(1),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
});

/** The function's side effects: the rule-sets table, its DLQ, and the source queue's visibility for backoff. */
export function wireRuleSetPublished(env: Record<string, string | undefined> = process.env): RuleSetPublishedDeps {
  const config = loadConfig(ruleSetPublishedConfigSchema, env, `${SERVICE}/ruleSetPublished`);
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  return {
    store: createDynamoDbRuleSetStore(createDocumentClient(aws), config.RULE_SETS_TABLE),
    deadLetters: createDeadLetterQueueSink(sqs, () => queueUrls.resolve(config.DEAD_LETTER_QUEUE_NAME)),
    backoff: sqsVisibilityBackoff(sqs, queueUrls, { baseSeconds: 2, maxSeconds: 60 }),
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
