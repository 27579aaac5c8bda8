import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { defineContract } from '../contracts/envelope';
import { z } from 'zod';
import { envelopeAttributes, messageSize } from './message-attributes';
import {
  assertAllSent,
  createPublisher,
  deduplicationId,
  packBatches,
  publishEnvelopes,
  PublishError,
  SQS_MAX_BATCH_BYTES,
} from './producer';

const note = defineContract({ type: 'Note', version: 1, schema: z.object({ text: z.string() }) });
const envelopes = (n: number, text = 'hello') =>
  Array.from({ length: n }, (_, i) => note.create({ text }, { id: `note-${i}` }));

type BatchInput = SendMessageBatchCommand['input'];

/** A fake SQS that answers each SendMessageBatch with the given behaviour. */
function fakeSqs(behaviour: (input: BatchInput, call: number) => unknown) {
  const calls: BatchInput[] = [];
  const client = {
    send: jest.fn(async (command: SendMessageBatchCommand) => {
      calls.push(command.input);
      return behaviour(command.input, calls.length);
    }),
  };
  return { client: client as unknown as SQSClient, calls };
}

const allSucceed = (input: BatchInput) => ({
  Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
  Failed: [],
});

const noSleep = async () => undefined;

describe('packBatches', () => {
  it('caps batches at 10 entries', () => {
    const batches = packBatches(
      Array.from({ length: 23 }, () => ({ size: 1 })),
      SQS_MAX_BATCH_BYTES,
    );
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('caps batches by total bytes', () => {
    const batches = packBatches(
      Array.from({ length: 5 }, () => ({ size: 100_000 })),
      SQS_MAX_BATCH_BYTES,
    );
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });
});

describe('publishEnvelopes', () => {
  it('sends in batches of 10 and reports each message', async () => {
    const sqs = fakeSqs(allSucceed);
    const results = await publishEnvelopes(sqs.client, 'queue-url', envelopes(25), { sleep: noSleep });
    expect(sqs.calls.map((c) => c.Entries!.length)).toEqual([10, 10, 5]);
    expect(results).toHaveLength(25);
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(results[24]).toMatchObject({ id: 'note-24', status: 'sent', attempts: 1 });
    expect(sqs.calls[0]!.Entries![0]!.MessageAttributes!['message.type']!.StringValue).toBe('Note');
  });

  it('retries only the entries SQS failed, and not those that were the sender’s fault', async () => {
    const sqs = fakeSqs((input, call) =>
      call === 1
        ? {
            Successful: input.Entries!.slice(2).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
            Failed: [
              { Id: input.Entries![0]!.Id, Code: 'InternalError', SenderFault: false, Message: 'try again' },
              { Id: input.Entries![1]!.Id, Code: 'InvalidMessageContents', SenderFault: true, Message: 'bad chars' },
            ],
          }
        : allSucceed(input),
    );
    const results = await publishEnvelopes(sqs.client, 'queue-url', envelopes(5), { sleep: noSleep });
    expect(sqs.calls).toHaveLength(2);
    expect(sqs.calls[1]!.Entries!.map((e) => e.Id)).toEqual(['0']);
    expect(results[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(results[1]).toMatchObject({ status: 'failed', retryable: false });
    expect(results[1]!.status === 'failed' && results[1]!.reason).toContain('bad chars');
    expect(results.slice(2).every((r) => r.status === 'sent')).toBe(true);
  });

  it('gives up after maxAttempts on a failing queue and says so, without throwing', async () => {
    const sqs = fakeSqs(() => {
      throw new Error('ECONNREFUSED');
    });
    const results = await publishEnvelopes(sqs.client, 'queue-url', envelopes(3), { sleep: noSleep, maxAttempts: 3 });
    expect(sqs.calls).toHaveLength(3);
    expect(results.every((r) => r.status === 'failed' && r.retryable && r.attempts === 3)).toBe(true);
    expect(() => assertAllSent(results)).toThrow(PublishError);
  });

  it('rejects an oversized message alone and still sends the others', async () => {
    const sqs = fakeSqs(allSucceed);
    const big = note.create({ text: 'x'.repeat(SQS_MAX_BATCH_BYTES) }, { id: 'too-big' });
    const results = await publishEnvelopes(sqs.client, 'queue-url', [big, ...envelopes(2)], { sleep: noSleep });
    expect(results[0]).toMatchObject({ id: 'too-big', status: 'failed', retryable: false, attempts: 0 });
    expect(results[0]!.status === 'failed' && results[0]!.reason).toMatch(/S3/);
    expect(results.slice(1).every((r) => r.status === 'sent')).toBe(true);
  });

  it('sets FIFO group and a deduplication id derived from the envelope id', async () => {
    const sqs = fakeSqs(allSucceed);
    await publishEnvelopes(sqs.client, 'queue-url.fifo', envelopes(2), {
      sleep: noSleep,
      messageGroupId: () => 'customer-1',
    });
    expect(sqs.calls[0]!.Entries![1]).toMatchObject({ MessageGroupId: 'customer-1', MessageDeduplicationId: 'note-1' });
  });

  it('backs off exponentially between attempts', async () => {
    const delays: number[] = [];
    const sqs = fakeSqs(() => {
      throw new Error('throttled');
    });
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    await publishEnvelopes(sqs.client, 'q', envelopes(1), {
      maxAttempts: 5,
      baseDelayMs: 50,
      maxDelayMs: 300,
      sleep: async (ms) => void delays.push(ms),
    });
    random.mockRestore();
    expect(delays).toEqual([50, 100, 200, 300]);
  });
});

describe('deduplicationId', () => {
  it('keeps valid ids and hashes the rest', () => {
    expect(deduplicationId('loan-123:approved')).toBe('loan-123:approved');
    expect(deduplicationId('ünïcode')).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationId('x'.repeat(200))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('producer edges', () => {
  it('fills a batch to the byte limit exactly, and starts a new one a byte past it', () => {
    expect(packBatches([{ size: 60 }, { size: 40 }, { size: 1 }], 100).map((b) => b.length)).toEqual([2, 1]);
    expect(packBatches([{ size: 100 }], 100)).toEqual([[{ size: 100 }]]);
    expect(packBatches([], 100)).toEqual([]);
  });

  it('takes a message of exactly the byte limit, and refuses one a byte over', async () => {
    const [envelope] = envelopes(1);
    const size = messageSize(JSON.stringify(envelope), envelopeAttributes(envelope!));
    const sqs = fakeSqs(allSucceed);
    const results = await publishEnvelopes(sqs.client, 'q', [envelope!], { maxBatchBytes: size, sleep: noSleep });
    expect(results[0]!.status).toBe('sent');
    const refused = await publishEnvelopes(sqs.client, 'q', [envelope!], { maxBatchBytes: size - 1, sleep: noSleep });
    expect(refused[0]).toMatchObject({ status: 'failed', retryable: false, attempts: 0 });
  });

  it('counts every attribute byte SQS counts: name, type and value, text or binary', () => {
    expect(messageSize('ab')).toBe(2);
    expect(messageSize('', { é: { DataType: 'String', StringValue: 'xyz' } })).toBe(2 + 6 + 3);
    expect(messageSize('', { b: { DataType: 'Binary', BinaryValue: new Uint8Array(5) } })).toBe(1 + 6 + 5);
    expect(messageSize('', { n: { DataType: 'Number' } })).toBe(1 + 6);
    expect(messageSize('', { n: {} as { DataType: string } })).toBe(1);
  });

  it('labels each message with its type, version and correlation id', () => {
    const envelope = note.create({ text: 'x' }, { id: 'n-1', correlationId: 'flow-7' });
    expect(envelopeAttributes(envelope)).toEqual({
      'message.type': { DataType: 'String', StringValue: 'Note' },
      'message.version': { DataType: 'Number', StringValue: '1' },
      'message.correlationId': { DataType: 'String', StringValue: 'flow-7' },
    });
  });

  it('keeps at most `concurrency` batches in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const client = {
      send: async (command: SendMessageBatchCommand) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return allSucceed(command.input);
      },
    } as unknown as SQSClient;
    const results = await publishEnvelopes(client, 'q', envelopes(55), { concurrency: 2, sleep: noSleep });
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(55);
    expect(most).toBe(2);
  });

  it('waits 50 ms, then doubling, up to 2 s by default, and retries a batch SQS answered without an entry', async () => {
    const ceilings: number[] = [];
    jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      const sqs = fakeSqs((input) => ({ Successful: [], Failed: [], Entries: input.Entries }));
      const results = await publishEnvelopes(sqs.client, 'q', envelopes(1), {
        maxAttempts: 8,
        sleep: async (ms) => void ceilings.push(ms),
      });
      expect(ceilings).toEqual([50, 100, 200, 400, 800, 1600, 2000]);
      expect(results[0]).toEqual({
        id: 'note-0',
        status: 'failed',
        reason: 'SQS response did not mention this entry',
        retryable: true,
        attempts: 8,
      });
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('reports an entry SQS failed without code or message, and one it accepted without a message id', async () => {
    const sqs = fakeSqs((input) => ({
      Successful: [{ Id: input.Entries![0]!.Id }, { Id: 'not-ours' }],
      Failed: [
        { Id: input.Entries![1]!.Id, SenderFault: true },
        { Id: 'also-not-ours', SenderFault: true },
      ],
    }));
    const results = await publishEnvelopes(sqs.client, 'q', envelopes(2), { sleep: noSleep });
    expect(results).toEqual([
      { id: 'note-0', status: 'sent', messageId: '', attempts: 1 },
      { id: 'note-1', status: 'failed', reason: 'error: no message', retryable: false, attempts: 1 },
    ]);
  });

  it('says which messages were not published, five at most', () => {
    const failed = (i: number) =>
      ({ id: `m-${i}`, status: 'failed', reason: 'Throttled', retryable: true, attempts: 5 }) as const;
    const sent = { id: 'ok', status: 'sent', messageId: 'x', attempts: 1 } as const;
    expect(() => assertAllSent([sent])).not.toThrow();
    expect(() => assertAllSent([sent, failed(1)])).toThrow(new PublishError([failed(1)]).message);
    const error = new PublishError([1, 2, 3, 4, 5, 6].map(failed));
    expect(error.name).toBe('PublishError');
    expect(error.message).toBe(
      '6 message(s) were not published: m-1 (Throttled); m-2 (Throttled); m-3 (Throttled); m-4 (Throttled); m-5 (Throttled); ...',
    );
    expect(new PublishError([1, 2, 3, 4, 5].map(failed)).message).not.toContain('...');
    expect(new PublishError([failed(1)]).message).toBe('1 message(s) were not published: m-1 (Throttled)');
  });

  it('publishes nothing, and resolves no queue, for no envelopes', async () => {
    const queueUrl = jest.fn(async () => 'q');
    const sqs = fakeSqs(allSucceed);
    await expect(createPublisher(sqs.client, queueUrl).publish([])).resolves.toEqual([]);
    expect(queueUrl).not.toHaveBeenCalled();
    await expect(createPublisher(sqs.client, queueUrl, { sleep: noSleep }).publish(envelopes(1))).resolves.toEqual([
      { id: 'note-0', status: 'sent', messageId: 'm-0', attempts: 1 },
    ]);
  });
});
