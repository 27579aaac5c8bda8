import {
  buildOncePerContainer,
  createContractReader,
  createSqsConsumer,
  ruleSetPublishedV1,
  type DeadLetterSink,
  type Logger,
  type Metrics,
  type RetryBackoff,
  type SqsBatchHandler,
} from '@backbone/shared';
import { recordPublishedRuleSet, type RuleSetStore } from '../../domain/active-rule-set';
import { wireRuleSetPublished } from './wiring';

export interface RuleSetPublishedDeps {
  store: RuleSetStore;
  deadLetters: DeadLetterSink;
  /** Must equal the queue's redrive maxReceiveCount (see the shared consumer). */
  maxReceiveCount: number;
  logger: Logger;
  backoff?: RetryBackoff;
  metrics?: Metrics;
  now?: () => Date;
}

/** SQS -> records each published rule set and activates the newest. */
export function createRuleSetPublishedHandler(deps: RuleSetPublishedDeps): SqsBatchHandler {
  const { store, logger, now = () => new Date() } = deps;
  return createSqsConsumer({
    reader: createContractReader([ruleSetPublishedV1]),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger,
    metrics: deps.metrics,
    async handle(envelope) {
      const outcome = await recordPublishedRuleSet(envelope.data, store, now());
      logger.info('rule set announcement recorded', {
        ruleSetVersion: envelope.data.ruleSetVersion,
        ruleCount: envelope.data.ruleCount,
        outcome,
        correlationId: envelope.correlationId,
      });
    },
  });
}

export const handler = buildOncePerContainer(async () => createRuleSetPublishedHandler(wireRuleSetPublished()));
