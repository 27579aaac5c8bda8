import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { QueueUrlResolver } from '../aws/queue-urls';
import { z } from 'zod';
import { createContractReader, defineContract } from '../contracts/envelope';
import { OutcomeUnknownError, PermanentError, RetryableError } from '../errors';
import { lambdaContext, sqsRecordFactory } from '../testing/lambda';
import {
  backoffSeconds,
  createSqsBatchConsumer,
  createSqsConsumer,
  retryWindowSeconds,
  sqsVisibilityBackoff,
} from './consumer';
import type { DeadLetterSink, Failure } from './dead-letter';

const order = defineContract({
  type: 'Order',
  version: 1,
  schema: z.object({ orderId: z.string(), outcome: z.string() }),
});
const body = (outcome: string, orderId = outcome) => JSON.stringify(order.create({ orderId, outcome }));

const silentLogger = { info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() } as unknown as Logger;

/** Waits between settling attempts, recorded, and over at once. */
const instantSleep =
  (waits: number[] = []) =>
  async (ms: number) =>
    void waits.push(ms);

function setUp(options: { maxReceiveCount?: number; fifo?: boolean; deadLetterFailures?: number } = {}) {
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handled: string[] = [];
  const delays: number[] = [];
  const waits: number[] = [];
  let failures = options.deadLetterFailures ?? 0;
  const deadLetters: DeadLetterSink = {
    send: async (record, failure) => {
      if (failures-- > 0) throw new Error('DLQ unavailable');
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
    sleep: instantSleep(waits),
    async handle(envelope) {
      handled.push(envelope.data.orderId);
      if (envelope.data.outcome === 'permanent') throw new PermanentError('destination refused it');
      if (envelope.data.outcome === 'refused-by-meta')
        throw new PermanentError('meta answered 400 (code 100): bad phone', {
          destinations: [{ destination: 'meta', code: '400/100', message: 'bad phone' }],
        });
      if (envelope.data.outcome === 'retryable') throw new RetryableError('destination timed out');
      if (envelope.data.outcome === 'unknown') throw new OutcomeUnknownError('ga4 may have it');
      if (envelope.data.outcome === 'crash') throw new TypeError('undefined is not a function');
    },
  });
  return { consumer, deadLettered, handled, delays, waits };
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

  it('dead-letters at once, as outcome-unknown, what may have reached a destination that cannot deduplicate', async () => {
    const { consumer, deadLettered } = setUp();
    const response = await consumer({ Records: [sqsRecordFactory(body('unknown'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered[0]!.failure).toMatchObject({
      kind: 'outcome-unknown',
      reason: 'OutcomeUnknownError: ga4 may have it',
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
      destinations: [],
    });
  });

  it('carries the destinations a domain error names to the DLQ as data, each with its code and message', async () => {
    const { consumer, deadLettered } = setUp();
    await consumer({ Records: [sqsRecordFactory(body('refused-by-meta'))] }, lambdaContext());
    expect(deadLettered[0]!.failure).toEqual({
      kind: 'permanent',
      reason: 'PermanentError: meta answered 400 (code 100): bad phone',
      receiveCount: 1,
      destinations: [{ destination: 'meta', code: '400/100', message: 'bad phone' }],
    });
  });

  it('keeps a record in the queue when the DLQ cannot take it after 20 attempts, so nothing is lost', async () => {
    const { consumer, waits } = setUp({ deadLetterFailures: Number.POSITIVE_INFINITY });
    const record = sqsRecordFactory(body('permanent'));
    const response = await consumer({ Records: [record, sqsRecordFactory(body('ok'))] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(waits).toEqual([100, 200, 400, 800, ...Array<number>(15).fill(1_000)]);
  });

  it('tries the DLQ again when it fails for a moment, and then the record is dead-lettered once', async () => {
    const { consumer, deadLettered, waits } = setUp({ deadLetterFailures: 2 });
    const record = sqsRecordFactory(body('permanent'));
    const response = await consumer({ Records: [record] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered.map((d) => d.record.messageId)).toEqual([record.messageId]);
    expect(waits).toEqual([100, 200]);
  });

  it('stops trying to settle before the invocation ends', async () => {
    const { consumer, waits } = setUp({ deadLetterFailures: Number.POSITIVE_INFINITY });
    const record = sqsRecordFactory(body('permanent'));
    // 800 ms left, of which 500 are kept for the rest: waits of 100 and 200 ms end within the other 300 (the
    // injected sleep takes no time); one of 400 would not.
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => 800 };
    // The clock stands still, so that only the deadline decides, however busy the machine.
    jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const response = await consumer({ Records: [record] }, context).finally(() => jest.restoreAllMocks());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(waits).toEqual([100, 200]);
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

  it('on FIFO queues, answers a batch whose every record fails with each of them to retry, without throwing', async () => {
    const { consumer } = setUp({ fifo: true });
    const records = [
      sqsRecordFactory(body('retryable', 'a1'), { groupId: 'a' }),
      sqsRecordFactory(body('retryable', 'b1'), { groupId: 'b' }),
    ];
    await expect(consumer({ Records: records }, lambdaContext())).resolves.toEqual({
      batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })),
    });
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
  function batchSetUp(options: { deadLetterFails?: boolean; throwAll?: boolean; fifo?: boolean } = {}) {
    const waits: number[] = [];
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
      fifo: options.fifo,
      backoff: { baseSeconds: 2, maxSeconds: 60, changeVisibility: async (_r, seconds) => void delays.push(seconds) },
      random: () => 1,
      sleep: instantSleep(waits),
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

  it.each([
    ['fewer', 1],
    ['more', 4],
  ])('acknowledges nothing when the handler answers %s outcomes than records: each is tried again', async (_c, n) => {
    const changed: number[] = [];
    const consumer = createSqsBatchConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 3,
      deadLetters: { send: async () => undefined },
      logger: silentLogger,
      backoff: { baseSeconds: 2, maxSeconds: 60, changeVisibility: async (_r, seconds) => void changed.push(seconds) },
      random: () => 1,
      sleep: instantSleep([]),
      handleBatch: async () => Array.from({ length: n }, () => undefined),
    });
    const records = [sqsRecordFactory(body('ok', 'a')), sqsRecordFactory(body('ok', 'b'))];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual(records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(changed).toEqual([2, 2]);
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

  it('on a FIFO queue, brings back with a retried record the later records of its group, in the batch’s order', async () => {
    const { consumer, seen } = batchSetUp({ fifo: true });
    const grouped = (outcome: string, id: string, group: string) => {
      const record = sqsRecordFactory(body(outcome, id));
      return { ...record, attributes: { ...record.attributes, MessageGroupId: group } } as SQSRecord;
    };
    const records = [
      grouped('ok', 'a1', 'a'),
      grouped('retryable', 'b1', 'b'),
      grouped('ok', 'a2', 'a'),
      grouped('ok', 'b2', 'b'),
      grouped('retryable', 'a3', 'a'),
    ];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(seen).toEqual([['a1', 'b1', 'a2', 'b2', 'a3']]);
    // b2 was handled, but comes back after b1; a1 and a2 stay done.
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      [records[1]!, records[3]!, records[4]!].map((r) => r.messageId),
    );
  });

  it('on a FIFO queue, does not bring back a later record of the group that was dead-lettered (it would be twice)', async () => {
    const { consumer, deadLettered } = batchSetUp({ fifo: true });
    const grouped = (outcome: string, id: string) => sqsRecordFactory(body(outcome, id), { groupId: 'g' });
    const records = [grouped('retryable', 'r1'), grouped('permanent', 'p2'), grouped('ok', 'k3')];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(deadLettered.map((d) => d.record.messageId)).toEqual([records[1]!.messageId]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      [records[0]!, records[2]!].map((r) => r.messageId),
    );
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

  it('spans at most its retry window: the ceilings of every wait before the queue gives a message up', () => {
    // maxReceiveCount 5: four waits, 2 + 4 + 8 + 16 s; capped at 10, 2 + 4 + 8 + 10.
    expect(retryWindowSeconds(5, { baseSeconds: 2, maxSeconds: 60 })).toBe(30);
    expect(retryWindowSeconds(5, { baseSeconds: 2, maxSeconds: 10 })).toBe(24);
    expect(retryWindowSeconds(1, { baseSeconds: 2, maxSeconds: 60 })).toBe(0);
    const settings = { baseSeconds: 1, maxSeconds: 8 };
    const waits = [1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, settings, () => 1));
    expect(waits.reduce((a, b) => a + b, 0)).toBe(retryWindowSeconds(7, settings));
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

describe('consumer edges', () => {
  const record = (outcome: string, attributes: Partial<SQSRecord['attributes']> = {}): SQSRecord => {
    const r = sqsRecordFactory(body(outcome));
    return { ...r, attributes: { ...r.attributes, ...attributes } };
  };

  it('reads the receive count, and takes a missing or nonsensical one as the first delivery', async () => {
    const delaysOf = async (count: string | undefined) => {
      const { consumer, delays } = setUp();
      await consumer({ Records: [record('retryable', { ApproximateReceiveCount: count as string })] }, lambdaContext());
      return delays[0];
    };
    // base 2 s doubling per delivery, random() = 1: the full ceiling.
    expect(await delaysOf('3')).toBe(8);
    expect(await delaysOf('0')).toBe(2);
    expect(await delaysOf('-4')).toBe(2);
    expect(await delaysOf('many')).toBe(2);
    expect(await delaysOf(undefined)).toBe(2);
  });

  it('accepts a maxReceiveCount of 1: the first failure is the last', async () => {
    const { consumer, deadLettered } = setUp({ maxReceiveCount: 1 });
    const response = await consumer({ Records: [record('retryable')] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered.map((d) => d.failure.kind)).toEqual(['retries-exhausted']);
  });

  it('on a standard queue, a failure holds back nothing after it, and a batch that fails whole does not throw', async () => {
    const { consumer, handled } = setUp();
    const records = [record('retryable'), sqsRecordFactory(body('ok', 'later'))];
    const response = await consumer({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    expect(handled).toEqual(['retryable', 'later']);
    const allFail = [record('retryable'), record('retryable')];
    await expect(consumer({ Records: allFail }, lambdaContext())).resolves.toEqual({
      batchItemFailures: allFail.map((r) => ({ itemIdentifier: r.messageId })),
    });
  });

  it('dead-letters a record whose attributes are null', async () => {
    const { consumer, deadLettered } = setUp();
    const damaged = { ...sqsRecordFactory(body('ok')), attributes: null } as unknown as SQSRecord;
    await consumer({ Records: [damaged] }, lambdaContext());
    expect(deadLettered[0]!.failure.reason).toBe(
      "InvalidMessageError: the SQS record has no attributes: it was not delivered by SQS as Lambda's event source does. " +
        'Check what invoked the function.',
    );
  });

  it('still retries a record whose redelivery could not be delayed after 20 attempts, and says so', async () => {
    const warn = jest.fn();
    let attempts = 0;
    const consumer = createSqsConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 5,
      deadLetters: { send: async () => undefined },
      logger: { ...silentLogger, warn } as unknown as Logger,
      backoff: {
        baseSeconds: 1,
        maxSeconds: 10,
        changeVisibility: () => (attempts++, Promise.reject(new Error('AccessDenied'))),
      },
      sleep: instantSleep(),
      async handle() {
        throw new RetryableError('later');
      },
    });
    const failing = sqsRecordFactory(body('x'));
    const response = await consumer({ Records: [failing] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(warn).toHaveBeenCalledWith('could not delay redelivery', {
      messageId: failing.messageId,
      error: 'Error: AccessDenied',
    });
    expect(attempts).toBe(20);
  });

  it('counts each kind of record with its number, never a zero', async () => {
    const added: [string, number][] = [];
    const metrics = {
      addMetric: (name: string, _unit: string, n: number) => void added.push([name, n]),
      publishStoredMetrics: () => undefined,
    } as unknown as Metrics;
    const consumer = createSqsBatchConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 5,
      deadLetters: { send: async () => undefined },
      logger: silentLogger,
      metrics,
      handleBatch: async (items) => items.map(() => undefined),
    });
    await consumer({ Records: [sqsRecordFactory(body('a')), sqsRecordFactory(body('b'))] }, lambdaContext());
    expect(added).toEqual([['RecordsProcessed', 2]]);
  });

  it('calls the batch handler only when some record is valid', async () => {
    const handleBatch = jest.fn(async () => []);
    const consumer = createSqsBatchConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 5,
      deadLetters: { send: async () => undefined },
      logger: silentLogger,
      handleBatch,
    });
    await consumer({ Records: [sqsRecordFactory('not json')] }, lambdaContext());
    expect(handleBatch).not.toHaveBeenCalled();
  });
});

describe('sqsVisibilityBackoff', () => {
  it("changes the visibility on the record's own queue, at most 12 hours (SQS's limit)", async () => {
    const sent: Record<string, unknown>[] = [];
    const resolved: string[] = [];
    const sqs = { send: async (command: { input: Record<string, unknown> }) => void sent.push(command.input) };
    const urls = { resolve: async (name: string) => (resolved.push(name), `https://sqs.local/${name}`) };
    const backoff = sqsVisibilityBackoff(sqs as unknown as SQSClient, urls as unknown as QueueUrlResolver, {
      baseSeconds: 5,
      maxSeconds: 300,
    });
    const r = { ...sqsRecordFactory(body('x')), eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:orders' };
    await backoff.changeVisibility(r, 50_000);
    await backoff.changeVisibility(r, 30);
    expect(resolved).toEqual(['orders', 'orders']);
    expect(sent).toEqual([
      { QueueUrl: 'https://sqs.local/orders', ReceiptHandle: r.receiptHandle, VisibilityTimeout: 43_200 },
      { QueueUrl: 'https://sqs.local/orders', ReceiptHandle: r.receiptHandle, VisibilityTimeout: 30 },
    ]);
    expect(backoff).toMatchObject({ baseSeconds: 5, maxSeconds: 300 });
  });
});
