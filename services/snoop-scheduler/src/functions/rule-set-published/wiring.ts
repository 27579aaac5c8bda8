import {
  createDocumentClient,
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { z } from 'zod';
import { createDynamoDbRuleSetStore } from '../../adapters/dynamodb-rule-set-store';
import { SERVICE } from '../../service';
import type { RuleSetPublishedDeps } from './handler';

const ruleSetPublishedConfigSchema = sqsConsumerConfigSchema.extend({
  RULE_SETS_TABLE: z.string().min(3),
});

/** The function's side effects: the rule-sets table, its DLQ, and the source queue's visibility for backoff. */
export function wireRuleSetPublished(env: Record<string, string | undefined> = process.env): RuleSetPublishedDeps {
  const config = loadConfig(ruleSetPublishedConfigSchema, env, `${SERVICE}/ruleSetPublished`);
  const { aws, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  return {
    store: createDynamoDbRuleSetStore(createDocumentClient(aws), config.RULE_SETS_TABLE),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
