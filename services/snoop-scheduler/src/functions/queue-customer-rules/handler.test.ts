import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { eligibleCustomerV1 } from '../../../contracts';
import type { CustomerRulesMessage } from '../../domain/customer-rules';
import { createQueueCustomerRulesHandler } from './handler';

const eligible = (customerId: string) =>
  sqsRecordFactory(
    JSON.stringify(eligibleCustomerV1.create({ runId: 'night-2026-11-30', customerId, on: '2026-11-30' })),
  );

function setUp(ruleIds: readonly string[] | undefined, failFor?: string) {
  const sent: CustomerRulesMessage[] = [];
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createQueueCustomerRulesHandler({
    activeRuleIds: async () => ruleIds,
    send: async (messages) => {
      sent.push(...messages);
      return messages.map((m) => (m.rules.customerId === failFor ? new Error('throttled') : undefined));
    },
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 5,
    logger: createLogger('test'),
  });
  return { handler, sent, deadLettered };
}

describe('queueCustomerRules handler', () => {
  it("turns each eligible customer into its run's message with every active snoop, grouped by customer", async () => {
    const { handler, sent } = setUp(['r1', 'r2']);
    const response = await handler({ Records: [eligible('c-1'), eligible('c-2')] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(sent.map((m) => [m.groupId, m.rules])).toEqual([
      ['c-1', { runId: 'night-2026-11-30', customerId: 'c-1', ruleIds: ['r1', 'r2'], on: '2026-11-30' }],
      ['c-2', { runId: 'night-2026-11-30', customerId: 'c-2', ruleIds: ['r1', 'r2'], on: '2026-11-30' }],
    ]);
    expect(new Set(sent.map((m) => m.deduplicationId)).size).toBe(2);
  });

  it('keeps every customer on the queue while no rule set is active yet', async () => {
    const { handler, sent } = setUp(undefined);
    const records = [eligible('c-1'), eligible('c-2')];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    expect(sent).toEqual([]);
  });

  it('retries only the customer whose message could not be sent', async () => {
    const { handler } = setUp(['r1'], 'c-2');
    const records = [eligible('c-1'), eligible('c-2')];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
  });
});
