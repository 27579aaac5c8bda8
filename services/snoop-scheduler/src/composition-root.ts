/**
 * The one place in snoop-scheduler that reads configuration and builds clients.
 * Handlers import a ready-made function from here and stay thin.
 */
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createContractReader,
  createDeadLetterQueueSink,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSqsClient,
  createSqsConsumer,
  loadConfig,
  QueueUrlResolver,
  ruleSetPublishedV1,
  sqsVisibilityBackoff,
  type SqsBatchHandler,
} from '@backbone/shared';
import { z } from 'zod';
import { createDynamoDbRuleSetStore } from './adapters/dynamodb-rule-set-store';
import { recordPublishedRuleSet } from './domain/active-rule-set';

const SERVICE = 'snoop-scheduler';

const ruleSetPublishedConfigSchema = awsEnvironmentSchema.extend({
  RULE_SETS_TABLE: z.string().min(3),
  DEAD_LETTER_QUEUE_NAME: z.string().min(1),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
});

export function createRuleSetPublishedHandler(env: Record<string, string | undefined> = process.env): SqsBatchHandler {
  const config = loadConfig(ruleSetPublishedConfigSchema, env, `${SERVICE}/ruleSetPublished`);
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  const store = createDynamoDbRuleSetStore(createDocumentClient(aws), config.RULE_SETS_TABLE);
  const logger = createLogger(SERVICE);

  return createSqsConsumer({
    reader: createContractReader([ruleSetPublishedV1]),
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    deadLetters: createDeadLetterQueueSink(sqs, () => queueUrls.resolve(config.DEAD_LETTER_QUEUE_NAME)),
    backoff: sqsVisibilityBackoff(sqs, queueUrls, { baseSeconds: 2, maxSeconds: 60 }),
    logger,
    metrics: createMetrics(SERVICE),
    async handle(envelope) {
      const outcome = await recordPublishedRuleSet(envelope.data, store);
      logger.info('rule set announcement recorded', {
        ruleSetVersion: envelope.data.ruleSetVersion,
        ruleCount: envelope.data.ruleCount,
        outcome,
        correlationId: envelope.correlationId,
      });
    },
  });
}
