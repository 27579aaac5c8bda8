import {
  buildOncePerContainer,
  createContractReader,
  createSqsBatchConsumer,
  RetryableError,
  type SqsBatchHandler,
} from '@backbone/shared';
import { eligibleCustomerV1 } from '../../../contracts';

import { customerRulesFor } from '../../domain/customer-rules';
import { wireQueueCustomerRules, type QueueCustomerRulesDeps } from './wiring';

/** The eligible-customers queue -> {run, customer, rule ids} on the customer-rules FIFO queue. */
export function createQueueCustomerRulesHandler(deps: QueueCustomerRulesDeps): SqsBatchHandler {
  return createSqsBatchConsumer({
    reader: createContractReader([eligibleCustomerV1]),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger: deps.logger,
    metrics: deps.metrics,
    async handleBatch(items) {
      const ruleIds = await deps.activeRuleIds();
      if (!ruleIds || ruleIds.length === 0)
        throw new RetryableError('no active rule set with active snoops yet; the customers wait on the queue');
      const perItem = items.map(({ envelope }) => customerRulesFor(envelope.data, ruleIds));
      const outcomes = await deps.send(perItem.flat());
      // A customer is done when every part of theirs was sent.
      let next = 0;
      return perItem.map((messages) => {
        const mine = outcomes.slice(next, (next += messages.length));
        return mine.find((error) => error !== undefined);
      });
    },
  });
}

export const handler = buildOncePerContainer(async () => createQueueCustomerRulesHandler(wireQueueCustomerRules()));

export type { QueueCustomerRulesDeps } from './wiring';
