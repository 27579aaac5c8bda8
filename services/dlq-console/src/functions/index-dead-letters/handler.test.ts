import { createLogger, deadLetterRecordedV1, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import type { DeadLetter } from '../../domain/dead-letters';
import { createIndexDeadLettersHandler } from './handler';

const notice = (n: number) =>
  sqsRecordFactory(
    JSON.stringify(
      deadLetterRecordedV1.create({
        dlq: 'marketing-events-local-events-dlq',
        dlqMessageId: `d-${n}`,
        source: 'arn:aws:sqs:eu-west-1:000000000000:marketing-events-local-events',
        failure: {
          kind: 'permanent',
          reason: 'meta answered 400 (code 100): invalid phone',
          destinations: [
            { destination: 'meta', code: '400/100', message: 'meta answered 400 (code 100): invalid phone' },
          ],
          at: '2026-11-30T12:00:00.000Z',
          receiveCount: 1,
          originalMessageId: `o-${n}`,
        },
        messageType: 'LoanApproved',
        messageVersion: 1,
        body: '{}',
        attributes: {},
      }),
    ),
  );

function setUp(put: (letters: readonly DeadLetter[]) => Promise<void>) {
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createIndexDeadLettersHandler({
    index: { put },
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 5,
    logger: createLogger('test'),
  });
  return { handler, deadLettered };
}

describe('indexDeadLetters handler', () => {
  it("indexes a batch's notices in one write, each as the dead letter it announces", async () => {
    const written: DeadLetter[] = [];
    const { handler } = setUp(async (letters) => void written.push(...letters));
    const response = await handler({ Records: [notice(1), notice(2)] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(written.map((l) => [l.messageId, l.sourceQueue, l.destinations[0]!.code])).toEqual([
      ['d-1', 'marketing-events-local-events', '400/100'],
      ['d-2', 'marketing-events-local-events', '400/100'],
    ]);
  });

  it('gives every notice of the batch back to the queue when the index cannot be written', async () => {
    const { handler, deadLettered } = setUp(async () => {
      throw new Error('ProvisionedThroughputExceededException');
    });
    const records = [notice(1), notice(2)];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));
    expect(deadLettered).toEqual([]);
  });
});
