import { ATTRIBUTE, type DeadLetterRecorded } from '@backbone/shared';
import type { DeadLetter } from './dead-letters';
import { deadLetterFromMessage, deadLetterFromNotice, sweepDeadLetters } from './indexing';
import { memoryIndex } from './dead-letters.fixtures';
import type { DeadLetterQueue, QueuePort, ReceivedMessage } from './ports';

const dlq: DeadLetterQueue = {
  name: 'device-ownership-local-device-events-dlq',
  fifo: false,
  sources: ['device-ownership-local-device-events'],
  depth: 0,
  inFlight: 0,
  retentionSeconds: 1_209_600,
  retryWindowSeconds: 30,
};

describe('indexing dead letters', () => {
  it('takes a notice as it comes: the DLQ id, the failure, the message', () => {
    const notice: DeadLetterRecorded = {
      dlq: dlq.name,
      dlqMessageId: 'd-1',
      source: 'arn:aws:sqs:eu-west-1:123456789012:device-ownership-local-device-events',
      failure: {
        kind: 'retries-exhausted',
        reason: 'cassandra timed out',
        destinations: [{ destination: 'cassandra', code: 'no-answer', message: 'timed out after 2000 ms' }],
        at: '2026-11-30T10:00:00.000Z',
        receiveCount: 5,
        originalMessageId: 'o-1',
      },
      messageType: 'LoginSucceeded',
      messageVersion: 1,
      body: '{}',
      attributes: { [ATTRIBUTE.type]: 'LoginSucceeded' },
    };
    expect(deadLetterFromNotice(notice)).toEqual({
      dlq: dlq.name,
      messageId: 'd-1',
      sourceQueue: 'device-ownership-local-device-events',
      kind: 'retries-exhausted',
      reason: 'cassandra timed out',
      destinations: [{ destination: 'cassandra', code: 'no-answer', message: 'timed out after 2000 ms' }],
      failedAt: '2026-11-30T10:00:00.000Z',
      receiveCount: 5,
      originalMessageId: 'o-1',
      messageType: 'LoginSucceeded',
      messageVersion: 1,
      body: '{}',
      attributes: { [ATTRIBUTE.type]: 'LoginSucceeded' },
      indexedBy: 'consumer',
    });
  });

  it('describes a message found in a DLQ by its failure attributes, or as unexplained when the redrive policy moved it', () => {
    const found: ReceivedMessage = {
      messageId: 'd-2',
      receiptHandle: 'r',
      body: '{"id":"x"}',
      attributes: {
        [ATTRIBUTE.type]: 'LoginSucceeded',
        [ATTRIBUTE.version]: '1',
        [ATTRIBUTE.failureReason]: 'bad',
        [ATTRIBUTE.failureKind]: 'permanent',
        [ATTRIBUTE.failedAt]: '2026-11-30T09:00:00.000Z',
        [ATTRIBUTE.failureSource]: 'arn:aws:sqs:eu-west-1:1:device-ownership-local-device-events',
        [ATTRIBUTE.failureReceiveCount]: '1',
        [ATTRIBUTE.failureMessageId]: 'o-2',
        [ATTRIBUTE.failureDestinations]: 'meta,ga4',
      },
      receiveCount: 3,
      sentAt: '2026-11-30T09:00:00.100Z',
    };
    expect(deadLetterFromMessage(dlq, found)).toMatchObject({
      kind: 'permanent',
      reason: 'bad',
      // The notice was lost: the names come from the attribute; the reason holds their messages.
      destinations: [{ destination: 'meta' }, { destination: 'ga4' }],
      failedAt: '2026-11-30T09:00:00.000Z',
      receiveCount: 1,
      originalMessageId: 'o-2',
      messageType: 'LoginSucceeded',
      messageVersion: 1,
      attributes: { [ATTRIBUTE.type]: 'LoginSucceeded', [ATTRIBUTE.version]: '1' },
      indexedBy: 'sweeper',
    });
    const moved = deadLetterFromMessage(dlq, { ...found, attributes: {}, receiveCount: 6 });
    expect(moved).toMatchObject({
      kind: 'unexplained',
      destinations: [],
      sourceQueue: 'device-ownership-local-device-events',
      failedAt: '2026-11-30T09:00:00.100Z',
      receiveCount: 6,
      originalMessageId: 'd-2',
    });
    expect(moved.reason).toMatch(/^moved here by the queue's redrive policy after 6 receives/);
  });

  it('sweeps only DLQs holding more than the index knows, indexes what it lacked, and releases all it held', async () => {
    const held = Array.from({ length: 25 }, (_, i) => ({
      messageId: `d-${i}`,
      receiptHandle: `r-${i}`,
      body: '{}',
      attributes: {},
      receiveCount: 1,
    }));
    const visibilities: number[] = [];
    const received: string[] = [];
    const released: string[] = [];
    let cursor = 0;
    const queues: QueuePort = {
      deadLetterQueues: async () => [
        { ...dlq, depth: 25 },
        { ...dlq, name: 'other-local-dlq', depth: 1 },
      ],
      async receive(queue, max, visibility) {
        if (queue === 'other-local-dlq') throw new Error('a DLQ the index already covers is not received from');
        visibilities.push(visibility);
        const batch = Array.from({ length: max }, (_, k) => held[(cursor + k) % held.length]!).map((m) => ({
          ...m,
          receiptHandle: `r-${cursor}-${m.messageId}`,
        }));
        cursor += 7;
        received.push(...batch.map((m) => m.receiptHandle));
        return batch;
      },
      release: async () => undefined,
      delete: async () => undefined,
      send: async () => 'x',
      sendBatch: async () => [],
      deleteBatch: async () => undefined,
      releaseBatch: async (_queue, receipts) => void released.push(...receipts),
    };
    const indexed = new Map<string, DeadLetter>();
    indexed.set('o', { ...deadLetterFromMessage(dlq, held[0]!), dlq: 'other-local-dlq', messageId: 'o' });
    indexed.set('d-3', deadLetterFromMessage(dlq, held[3]!));
    const index = memoryIndex(indexed);
    const results = await sweepDeadLetters(queues, index);
    expect(results).toEqual([
      { dlq: dlq.name, depth: 25, indexed: 25, added: 24 },
      { dlq: 'other-local-dlq', depth: 1, indexed: 1, added: 0 },
    ]);
    // Held while the sweep looks further (30 s at most), then every one released.
    expect(new Set(visibilities)).toEqual(new Set([30]));
    expect(released.sort()).toEqual(received.sort());
  });
});
