import { z } from 'zod';
import { createContractReader, defineContract } from '../contracts/envelope';
import { PermanentError } from '../errors';
import { createSqsConsumer } from '../sqs/consumer';
import { lambdaContext, sqsRecordFactory } from '../testing/lambda';
import { currentCorrelation, withCorrelation } from './correlation';
import { createLogger } from './index';

const order = defineContract({ type: 'Order', version: 1, schema: z.object({ orderId: z.string() }) });
const shipped = defineContract({ type: 'Shipped', version: 1, schema: z.object({ orderId: z.string() }) });

/** The JSON lines the logger writes while `work` runs. */
async function linesOf(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  // Warnings and errors go to standard error, the rest to standard output.
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }),
  );
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the correlation of a message handled', () => {
  const previousLevel = process.env.POWERTOOLS_LOG_LEVEL;
  beforeAll(() => (process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG'));
  afterAll(() => (process.env.POWERTOOLS_LOG_LEVEL = previousLevel));

  it('is on every line logged and every message sent while each record of a batch is handled, each its own', async () => {
    const logger = createLogger('test');
    const sent: { correlationId: string; id: string }[] = [];
    const consumer = createSqsConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 3,
      deadLetters: { send: async () => undefined },
      logger,
      async handle(envelope) {
        // Concurrent records interleave here: each still logs and sends with its own correlation.
        await new Promise((resolve) => setTimeout(resolve, envelope.data.orderId === 'a' ? 20 : 1));
        logger.info('handling', { orderId: envelope.data.orderId });
        sent.push(shipped.create({ orderId: envelope.data.orderId }));
      },
    });
    const records = [
      sqsRecordFactory(JSON.stringify(order.create({ orderId: 'a' }, { correlationId: 'conversion-1' })), {
        messageId: 'm-a',
      }),
      sqsRecordFactory(JSON.stringify(order.create({ orderId: 'b' }, { correlationId: 'conversion-2' })), {
        messageId: 'm-b',
      }),
    ];
    const lines = await linesOf(() => consumer({ Records: records }, lambdaContext()));
    const handling = lines.filter((line) => line['message'] === 'handling');
    // The Lambda context too, on every line of the invocation.
    expect(handling.every((l) => typeof l['function_request_id'] === 'string' && 'function_name' in l)).toBe(true);
    expect(handling.map((l) => [l['orderId'], l['correlationId'], l['messageId']]).sort()).toEqual([
      ['a', 'conversion-1', 'm-a'],
      ['b', 'conversion-2', 'm-b'],
    ]);
    expect(sent.map((e) => [e.correlationId, e.id !== e.correlationId]).sort()).toEqual([
      ['conversion-1', true],
      ['conversion-2', true],
    ]);
    expect(currentCorrelation()).toBeUndefined();
  });

  it('is on the line that says a record was dead-lettered, and not on lines outside any handling', async () => {
    const logger = createLogger('test');
    const consumer = createSqsConsumer({
      reader: createContractReader([order]),
      maxReceiveCount: 3,
      deadLetters: { send: async () => undefined },
      logger,
      handle: async () => {
        throw new PermanentError('refused for good');
      },
    });
    const record = sqsRecordFactory(JSON.stringify(order.create({ orderId: 'a' }, { correlationId: 'conversion-3' })));
    const lines = await linesOf(async () => {
      await consumer({ Records: [record] }, lambdaContext());
      logger.info('between batches');
    });
    expect(lines.find((l) => l['message'] === 'message moved to the dead-letter queue')).toMatchObject({
      correlationId: 'conversion-3',
    });
    expect(lines.find((l) => l['message'] === 'between batches')).not.toHaveProperty('correlationId');
  });

  it('keeps an error or a text given alone where Powertools puts them, beside the correlation', async () => {
    const logger = createLogger('test');
    const lines = await linesOf(async () =>
      withCorrelation({ correlationId: 'c-9' }, () => {
        logger.error('failed', new Error('boom'));
        logger.warn('note', 'a text');
      }),
    );
    expect(lines[0]).toMatchObject({ correlationId: 'c-9', error: expect.objectContaining({ message: 'boom' }) });
    expect(lines[1]).toMatchObject({ correlationId: 'c-9', extra: 'a text' });
  });

  it('is a message\u2019s own id when it was sent outside any handling, and the one given when given', () => {
    const first = order.create({ orderId: 'a' });
    expect(first.correlationId).toBe(first.id);
    expect(
      withCorrelation({ correlationId: 'c-1' }, () => order.create({ orderId: 'a' }, { correlationId: 'c-2' }))
        .correlationId,
    ).toBe('c-2');
  });
});
