import {
  createDocumentClient,
  createLogger,
  createMetrics,
  createS3Client,
  loadConfig,
  publishEnvelopes,
  QueueUrlResolver,
  RetryableError,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { customerRulesV1 } from '../../../contracts';
import { z } from 'zod';
import { createRuleSetSource } from '../../adapters/rule-set-source';
import { RuleSetHolder } from '../../domain/engine/rule-sets';
import { SERVICE } from '../../service';
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
  const rules = new RuleSetHolder({
    source: createRuleSetSource(createDocumentClient(aws), createS3Client(aws), config.RULE_SETS_TABLE),
    currency: 'GBP',
  });
  let checkedAt = 0;
  return {
    async activeRuleIds() {
      if (Date.now() - checkedAt > ACTIVE_RULE_SET_MAX_AGE_MS || !rules.current) {
        const outcome = await rules.refresh();
        if (!outcome.ok && !rules.current) throw new RetryableError(`no rule set could be loaded: ${outcome.reason}`);
        if (!outcome.ok) logger.warn('keeping the rule set loaded before', { reason: outcome.reason });
        checkedAt = Date.now();
      }
      return rules.current?.ruleSet.activeIds;
    },
    async send(messages) {
      const queueUrl = await queueUrls.resolve(config.CUSTOMER_RULES_QUEUE_NAME);
      const byId = new Map(messages.map((m) => [m.deduplicationId, m]));
      const results = await publishEnvelopes(
        sqs,
        queueUrl,
        messages.map((m) => customerRulesV1.create(m.rules, { id: m.deduplicationId })),
        { messageGroupId: (envelope) => byId.get(envelope.id)!.groupId },
      );
      return results.map((result) =>
        result.status === 'sent' ? undefined : new RetryableError(`could not queue ${result.id}: ${result.reason}`),
      );
    },
    deadLetters,
    backoff,
    maxReceiveCount,
    logger,
    metrics: createMetrics(SERVICE),
  };
}
