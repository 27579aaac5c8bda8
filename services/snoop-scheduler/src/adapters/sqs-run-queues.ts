/**
 * The nightly run's queues as its steps send to them: eligible customers (the customer step), and each customer's
 * active rules on the FIFO queue (the rule step).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { publishEnvelopes, RetryableError, type QueueUrlResolver } from '@backbone/shared';
import { customerRulesV1, eligibleCustomerV1 } from '../../contracts';
import type { CustomerRulesMessage } from '../domain/customer-rules';
import type { CustomerQueue } from '../domain/nightly-run';

/** The eligible-customers queue: a page of customers in batches of 10; throws naming the first that failed. */
export function eligibleCustomerQueue(sqs: SQSClient, queueUrls: QueueUrlResolver, queueName: string): CustomerQueue {
  return {
    async send(runId, on, customerIds) {
      const results = await publishEnvelopes(
        sqs,
        await queueUrls.resolve(queueName),
        customerIds.map((customerId) =>
          eligibleCustomerV1.create({ runId, customerId, on }, { id: `${runId}:${customerId}` }),
        ),
      );
      const failed = results.flatMap((r) => (r.status === 'failed' ? [r] : []));
      if (failed.length > 0)
        throw new Error(
          `${failed.length} customers of run ${runId} could not be queued (first: ${failed[0]!.reason}); ` +
            'the page is queued again at the next trigger',
        );
    },
  };
}

/** The customer-rules FIFO queue: each message in its customer's group; per message, undefined or why it failed. */
export function customerRulesQueue(
  sqs: SQSClient,
  queueUrls: QueueUrlResolver,
  queueName: string,
): (messages: readonly CustomerRulesMessage[]) => Promise<(Error | undefined)[]> {
  return async (messages) => {
    const byId = new Map(messages.map((m) => [m.deduplicationId, m]));
    const results = await publishEnvelopes(
      sqs,
      await queueUrls.resolve(queueName),
      messages.map((m) => customerRulesV1.create(m.rules, { id: m.deduplicationId })),
      { messageGroupId: (envelope) => byId.get(envelope.id)!.groupId },
    );
    return results.map((result) =>
      result.status === 'sent' ? undefined : new RetryableError(`could not queue ${result.id}: ${result.reason}`),
    );
  };
}
