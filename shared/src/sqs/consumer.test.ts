import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { createContractReader, defineContract } from '../contracts/envelope';
import { PermanentError, RetryableError } from '../errors';
import { lambdaContext, sqsRecordFactory } from '../testing/lambda';
import { backoffSeconds, createSqsBatchConsumer, createSqsConsumer } from './consumer';
import type { DeadLetterSink, Failure } from './dead-letter';

const order = defineContract({
  type: 'Order',
  version: 1,
  schema: z.object({ orderId: z.string(), outcome: z.string() }),
});
const body = (outcome: string, orderId = outcome) => JSON.stringify(order.create({ orderId, outcome }));

const silentLogger = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger;

function setUp(options: { maxReceiveCount?: number; fifo?: boolean; deadLetterFails?: boolean } = {}) {
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handled: string[] = [];
  const delays: number[] = [];
  const deadLetters: DeadLetterSink = {
    send: async (record, failure) => {
      if (options.deadLetterFails) throw new Error('DLQ unavailable');
      deadLettered.push({ record, failure });
    },
  };
  const consumer = createSqsConsumer({
    reader: createContractReader([order]),
    maxReceiveCount: options.maxReceiveCount ?? 5,
    deadLetters,
    logger: silentLogger,
    fifo: options.fifo,
    backoff: {
      baseSeconds: 2,
      maxSeconds: 60,
      changeVisibility: async (_record, seconds) => void delays.push(seconds),
    },
    random: () => 1,
    async handle(envelope) {
      handled.push(envelope.data.orderId);
      if (envelope.data.outcome === 'permanent') throw new PermanentError('destination refused it');
      if (envelope.data.outcome === 'retryable') throw new RetryableError('destination timed out');
      if (envelope.data.outcome === 'crash') throw new TypeError('undefined is not a function');
    },
  });
  return { consumer, deadLettered, handled, delays };
}

describe('createSqsConsumer', () => {
  it('acknowledges good records and fails only the retryable one', async () => {
    const { consumer, deadLettered } = setUp();
    const records = [
      sqsRecordFactory(body('ok', 'a')),
      sqsRecordFactory(body('retryable')),
      sqsRecordFactory(body('ok', 'b')),
    ];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    expect(deadLettered).toHaveLength(0);
  });

  it('dead-letters an invalid message at once with the reason, without failing its siblings', async () => {
    const { consumer, deadLettered, handled } = setUp();
    const invalid = sqsRecordFactory(
      JSON.stringify({ ...order.create({ orderId: 'x', outcome: 'ok' }), data: { orderId: 1 } }),
    );
    const response = await consumer({ Records: [invalid, sqsRecordFactory(body('ok', 'good'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(handled).toEqual(['good']);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.failure).toMatchObject({ kind: 'permanent', receiveCount: 1 });
    expect(deadLettered[0]!.failure.reason).toMatch(/InvalidMessageError: .*data\.orderId.*data\.outcome/);
  });

  it.each([
    ['no body', { body: undefined }],
    ['no attributes', { attributes: undefined }],
  ])(
    'dead-letters a record with %s as invalid, not retrying it, and goes on with its siblings',
    async (_case, damage) => {
      const { consumer, deadLettered, handled } = setUp();
      const damaged = { ...sqsRecordFactory(body('ok', 'damaged')), ...damage } as unknown as SQSRecord;
      const response = await consumer({ Records: [damaged, sqsRecordFactory(body('ok', 'good'))] }, lambdaContext());
      expect(response.batchItemFailures).toEqual([]);
      expect(handled).toEqual(['good']);
      expect(deadLettered.map((d) => d.failure)).toEqual([
        expect.objectContaining({
          kind: 'permanent',
          reason: expect.stringMatching(/^InvalidMessageError: the SQS record has no/),
        }),
      ]);
    },
  );

  it('dead-letters a permanent failure from the handler', async () => {
    const { consumer, deadLettered } = setUp();
    const response = await consumer({ Records: [sqsRecordFactory(body('permanent'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered[0]!.failure).toMatchObject({
      kind: 'permanent',
      reason: 'PermanentError: destination refused it',
    });
  });

  it('treats unknown errors as retryable', async () => {
    const { consumer, deadLettered } = setUp();
    const record = sqsRecordFactory(body('crash'));
    const response = await consumer({ Records: [record] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(deadLettered).toHaveLength(0);
  });

  it('delays redelivery exponentially', async () => {
    const { consumer, delays } = setUp();
    for (const receiveCount of [1, 2, 3]) {
      await consumer({ Records: [sqsRecordFactory(body('retryable'), { receiveCount })] }, lambdaContext());
    }
    expect(delays).toEqual([2, 4, 8]);
  });

  it('dead-letters on the last allowed delivery, with the last reason', async () => {
    const { consumer, deadLettered } = setUp({ maxReceiveCount: 3 });
    const response = await consumer(
      { Records: [sqsRecordFactory(body('retryable'), { receiveCount: 3 })] },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered[0]!.failure).toEqual({
      kind: 'retries-exhausted',
      reason: 'RetryableError: destination timed out',
      receiveCount: 3,
    });
  });

  it('keeps a record in the queue when the DLQ cannot take it, so nothing is lost', async () => {
    const { consumer } = setUp({ deadLetterFails: true });
    const record = sqsRecordFactory(body('permanent'));
    const response = await consumer({ Records: [record, sqsRecordFactory(body('ok'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
  });

  it('on FIFO queues holds back only later records of the failed record’s group', async () => {
    const { consumer, handled } = setUp({ fifo: true });
    const records = [
      sqsRecordFactory(body('retryable', 'a1'), { groupId: 'a' }),
      sqsRecordFactory(body('ok', 'b1'), { groupId: 'b' }),
      sqsRecordFactory(body('ok', 'a2'), { groupId: 'a' }),
      sqsRecordFactory(body('ok', 'b2'), { groupId: 'b' }),
    ];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      records[0]!.messageId,
      records[2]!.messageId,
    ]);
    expect(handled).toEqual(['a1', 'b1', 'b2']);
  });

  it('refuses a nonsensical maxReceiveCount', () => {
    expect(() =>
      createSqsConsumer({
        reader: createContractReader([order]),
        maxReceiveCount: 0,
        deadLetters: { send: async () => undefined },
        logger: silentLogger,
        handle: async () => undefined,
      }),
    ).toThrow(/maxReceiveCount must be a positive integer/);
  });
});

describe('createSqsBatchConsumer', () => {
  function batchSetUp(options: { deadLetterFails?: boolean; throwAll?: boolean } = {}) {
    const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
    const delays: number[] = [];
    const seen: string[][] = [];
    const consumer = createSqsBatchConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 3,
      deadLetters: {
        send: async (record, failure) => {
          if (options.deadLetterFails) throw new Error('DLQ unavailable');
          deadLettered.push({ record, failure });
        },
      },
      logger: silentLogger,
      backoff: { baseSeconds: 2, maxSeconds: 60, changeVisibility: async (_r, seconds) => void delays.push(seconds) },
      random: () => 1,
      async handleBatch(items) {
        seen.push(items.map((i) => i.envelope.data.orderId));
        if (options.throwAll) throw new RetryableError('destination unreachable');
        return items.map(({ envelope }) =>
          envelope.data.outcome === 'permanent'
            ? new PermanentError('meta: invalid parameter')
            : envelope.data.outcome === 'retryable'
              ? new RetryableError('ga4 answered 503')
              : undefined,
        );
      },
    });
    return { consumer, deadLettered, delays, seen };
  }

  it.each([
    ['no body', { body: undefined }],
    ['no attributes', { attributes: undefined }],
  ])('dead-letters a record with %s as invalid and hands its siblings over', async (_case, damage) => {
    const { consumer, deadLettered, seen } = batchSetUp();
    const damaged = { ...sqsRecordFactory(body('ok', 'damaged')), ...damage } as unknown as SQSRecord;
    const response = await consumer({ Records: [damaged, sqsRecordFactory(body('ok', 'good'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([['good']]);
    expect(deadLettered.map((d) => d.failure)).toEqual([
      expect.objectContaining({
        kind: 'permanent',
        reason: expect.stringMatching(/^InvalidMessageError: the SQS record has no/),
      }),
    ]);
  });

  it('hands the valid records over together and settles each by its own outcome', async () => {
    const { consumer, deadLettered, delays, seen } = batchSetUp();
    const records = [
      sqsRecordFactory(body('ok', 'a')),
      sqsRecordFactory('{not json'),
      sqsRecordFactory(body('retryable', 'b')),
      sqsRecordFactory(body('permanent', 'c')),
      sqsRecordFactory(body('retryable', 'd'), { receiveCount: 3 }),
    ];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(seen).toEqual([['a', 'b', 'c', 'd']]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[2]!.messageId }]);
    expect(delays).toEqual([2]);
    expect(deadLettered.map((d) => [d.record.messageId, d.failure.kind, d.failure.reason])).toEqual([
      [records[1]!.messageId, 'permanent', expect.stringContaining('not JSON') as unknown],
      [records[3]!.messageId, 'permanent', 'PermanentError: meta: invalid parameter'],
      [records[4]!.messageId, 'retries-exhausted', 'RetryableError: ga4 answered 503'],
    ]);
  });

  it('retries every record when the batch handler throws, and keeps records the DLQ cannot take', async () => {
    const thrown = batchSetUp({ throwAll: true });
    const records = [sqsRecordFactory(body('ok', 'a')), sqsRecordFactory(body('ok', 'b'))];
    const response = await thrown.consumer({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(records.map((r) => r.messageId));

    const noDlq = batchSetUp({ deadLetterFails: true });
    const poison = sqsRecordFactory(body('permanent'));
    expect((await noDlq.consumer({ Records: [poison] }, lambdaContext())).batchItemFailures).toEqual([
      { itemIdentifier: poison.messageId },
    ]);
  });
});

describe('backoffSeconds', () => {
  it('grows exponentially, is capped, and is never zero', () => {
    expect(backoffSeconds(1, { baseSeconds: 2, maxSeconds: 60 }, () => 1)).toBe(2);
    expect(backoffSeconds(10, { baseSeconds: 2, maxSeconds: 60 }, () => 1)).toBe(60);
    expect(backoffSeconds(1, { baseSeconds: 1, maxSeconds: 60 }, () => 0)).toBe(1);
  });

  it('waits at least half its ceiling, so that retries span a known time', () => {
    const settings = { baseSeconds: 1, maxSeconds: 20 };
    expect(backoffSeconds(4, settings, () => 0)).toBe(4);
    // The local stage's settings: nine retries can never all fall inside a 30-second outage.
    const shortest = [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((sum, n) => sum + backoffSeconds(n, settings, () => 0), 0);
    expect(shortest).toBeGreaterThan(30);
  });
});

describe('consumer metrics', () => {
  it('counts processed, retried and dead-lettered records, and publishes them once per batch', async () => {
    const added: string[] = [];
    let published = 0;
    const metrics = {
      addMetric: (name: string) => void added.push(name),
      publishStoredMetrics: () => void published++,
    } as unknown as Metrics;
    const consumer = createSqsConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 5,
      deadLetters: { send: async () => undefined },
      logger: silentLogger,
      metrics,
      async handle(envelope) {
        if (envelope.data.outcome === 'retryable') throw new RetryableError('later');
        if (envelope.data.outcome === 'permanent') throw new PermanentError('never');
      },
    });
    await consumer(
      {
        Records: [
          sqsRecordFactory(body('ok')),
          sqsRecordFactory(body('retryable')),
          sqsRecordFactory(body('permanent')),
        ],
      },
      lambdaContext(),
    );
    expect(added.sort()).toEqual(['RecordsDeadLettered', 'RecordsProcessed', 'RecordsRetried']);
    expect(published).toBe(1);
  });
});
