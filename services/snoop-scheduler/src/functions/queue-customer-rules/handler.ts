import {
  buildOncePerContainer,
  createContractReader,
  createSqsBatchConsumer,
  RetryableError,
  type SqsBatchHandler,
  type SqsConsumerDeps,
} from '@backbone/shared';
import { eligibleCustomerV1 } from '../../../contracts';
import { customerRulesFor, type CustomerRulesMessage } from '../../domain/customer-rules';
import { wireQueueCustomerRules } from './wiring';

export interface QueueCustomerRulesDeps extends SqsConsumerDeps {
  /** The active rule set's active snoop ids (cached by the wiring); undefined before the first publication. */
  activeRuleIds: () => Promise<readonly string[] | undefined>;
  /** Sends to the customer-rules FIFO queue; per message, undefined or the error it failed with. */
  send: (messages: readonly CustomerRulesMessage[]) => Promise<(Error | undefined)[]>;
}

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
