import {
  createDocumentClient,
  createLogger,
  createMetrics,
  createS3Client,
  loadConfig,
  QueueUrlResolver,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { z } from 'zod';

import { cachedActiveRuleIds, createRuleSetSource } from '../../adapters/rule-set-source';

import { customerRulesQueue } from '../../adapters/sqs-run-queues';

import { SERVICE } from '../../composition-root';

import type { SqsConsumerDeps } from '@backbone/shared';

import type { CustomerRulesMessage } from '../../domain/customer-rules';

export interface QueueCustomerRulesDeps extends SqsConsumerDeps {
  /** The active rule set's active snoop ids (cached by the wiring); undefined before the first publication. */
  activeRuleIds: () => Promise<readonly string[] | undefined>;
  /** Sends to the customer-rules FIFO queue; per message, undefined or the error it failed with. */
  send: (messages: readonly CustomerRulesMessage[]) => Promise<(Error | undefined)[]>;
}

const configSchema = sqsConsumerConfigSchema.extend({
  RULE_SETS_TABLE: z.string().min(3),
  CUSTOMER_RULES_QUEUE_NAME: z.string().min(1),
});

/** How long a container trusts the active rule set it read before it asks again. */
const ACTIVE_RULE_SET_MAX_AGE_MS = 60_000;

/** The active rule set (the rule-sets table and the rules file in S3, loaded like the engine's) and the FIFO queue. */
export function wireQueueCustomerRules(env: Record<string, string | undefined> = process.env): QueueCustomerRulesDeps {
  const config = loadConfig(configSchema, env, `${SERVICE}/queueCustomerRules`);
  // One SQS client for the consumer's DLQ and redeliveries and for sending on.
  const { aws, sqs, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  const queueUrls = new QueueUrlResolver(sqs);
  const logger = createLogger(SERVICE);
  const source = createRuleSetSource(createDocumentClient(aws), createS3Client(aws), config.RULE_SETS_TABLE);
  return {
    activeRuleIds: cachedActiveRuleIds(source, logger, ACTIVE_RULE_SET_MAX_AGE_MS),
    send: customerRulesQueue(sqs, queueUrls, config.CUSTOMER_RULES_QUEUE_NAME),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger,
    metrics: createMetrics(SERVICE),
  };
}
