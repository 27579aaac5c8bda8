/**
 * Properties of the producer's packing and the batch consumer's settlement, over generated inputs (fast-check; a
 * failure prints its seed and the smallest input found, so it can be replayed with `{ seed }`).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import fc from 'fast-check';
import { z } from 'zod';
import { createContractReader, defineContract } from '../contracts/envelope';
import { PermanentError, RetryableError } from '../errors';
import { lambdaContext, sqsRecordFactory } from '../testing/lambda';
import { propertyRuns } from '../testing/property-runs';
import { createSqsBatchConsumer } from './consumer';
import { packBatches, SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from './producer';

describe('packing messages into SendMessageBatch calls', () => {
  const sizes = fc.array(
    fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: SQS_MAX_BATCH_BYTES })),
    { maxLength: 80 },
  );

  it('keeps every message once and in order, within 10 entries and 256 KiB a batch, and starts a batch only when it must', () => {
    fc.assert(
      fc.property(sizes, (itemSizes) => {
        const items = itemSizes.map((size, index) => ({ size, index }));
        const batches = packBatches(items, SQS_MAX_BATCH_BYTES);
        expect(batches.flat().map((item) => item.index)).toEqual(items.map((item) => item.index));
        batches.forEach((batch, b) => {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
          const bytes = batch.reduce((sum, item) => sum + item.size, 0);
          expect(bytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
          // Greedy: the next batch's first message would not have fitted in this one.
          const next = batches[b + 1]?.[0];
          if (next)
            expect(batch.length === SQS_MAX_BATCH_ENTRIES || bytes + next.size > SQS_MAX_BATCH_BYTES).toBe(true);
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});

describe('settling a batch', () => {
  const order = defineContract({
    type: 'Order',
    version: 1,
    schema: z.object({ orderId: z.string(), outcome: z.string() }),
  });
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
  const MAX_RECEIVES = 3;

  type Outcome = 'ok' | 'retryable' | 'permanent' | 'invalid';
  const recordSpec = fc.record({
    outcome: fc.constantFrom<Outcome>('ok', 'retryable', 'permanent', 'invalid'),
    receiveCount: fc.integer({ min: 1, max: MAX_RECEIVES }),
    group: fc.constantFrom('g1', 'g2', 'g3'),
    /** The DLQ refuses this record's notice (unavailable for it). */
    deadLetterRefused: fc.boolean(),
  });

  it('acknowledges, retries or dead-letters every record exactly once, as its outcome and receive count say', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordSpec, { maxLength: 12 }), fc.boolean(), async (specs, fifo) => {
        const records = specs.map((spec, i) =>
          sqsRecordFactory(
            spec.outcome === 'invalid'
              ? JSON.stringify({ id: `r-${i}`, type: 'Order' })
              : JSON.stringify(order.create({ orderId: `r-${i}`, outcome: spec.outcome })),
            { receiveCount: spec.receiveCount, ...(fifo ? { groupId: spec.group } : {}) },
          ),
        );
        const specOf = new Map(records.map((record, i) => [record.messageId, specs[i]!]));
        const deadLettered: string[] = [];
        const handled: string[] = [];
        const consumer = createSqsBatchConsumer({
          reader: createContractReader([order]),
          maxReceiveCount: MAX_RECEIVES,
          deadLetters: {
            send: async (record: SQSRecord) => {
              if (specOf.get(record.messageId)!.deadLetterRefused) throw new Error('DLQ unavailable');
              deadLettered.push(record.messageId);
            },
          },
          logger: silent,
          fifo,
          backoff: { baseSeconds: 1, maxSeconds: 10, changeVisibility: async () => undefined },
          random: () => 0.5,
          sleep: async () => undefined,
          async handleBatch(items) {
            return items.map(({ envelope, record }) => {
              handled.push(record.messageId);
              return envelope.data.outcome === 'permanent'
                ? new PermanentError('refused')
                : envelope.data.outcome === 'retryable'
                  ? new RetryableError('busy')
                  : undefined;
            });
          },
        });
        const response = await consumer({ Records: records }, lambdaContext());
        const retried = response.batchItemFailures.map((f) => f.itemIdentifier);

        // Exactly once: nothing both retried and dead-lettered, nothing twice, every valid record handled once.
        expect(new Set(retried).size).toBe(retried.length);
        expect(new Set(deadLettered).size).toBe(deadLettered.length);
        expect(retried.filter((id) => deadLettered.includes(id))).toEqual([]);
        expect(handled.sort()).toEqual(
          records
            .filter((r) => specOf.get(r.messageId)!.outcome !== 'invalid')
            .map((r) => r.messageId)
            .sort(),
        );

        // What its outcome calls for, or a retry where the DLQ refused it: never acknowledged and gone.
        const wanted = (record: SQSRecord): 'acknowledged' | 'retried' | 'dead-lettered' => {
          const spec = specOf.get(record.messageId)!;
          if (spec.outcome === 'ok') return 'acknowledged';
          if (spec.outcome === 'retryable' && spec.receiveCount < MAX_RECEIVES) return 'retried';
          return spec.deadLetterRefused ? 'retried' : 'dead-lettered';
        };
        const retriedForItself = new Set(records.filter((r) => wanted(r) === 'retried').map((r) => r.messageId));
        for (const record of records) {
          const got = retried.includes(record.messageId)
            ? 'retried'
            : deadLettered.includes(record.messageId)
              ? 'dead-lettered'
              : 'acknowledged';
          const earlierOfGroupRetried = records
            .slice(0, records.indexOf(record))
            .some(
              (r) =>
                retriedForItself.has(r.messageId) && r.attributes.MessageGroupId === record.attributes.MessageGroupId,
            );
          // FIFO: a record after a retried one of its group comes back with it, in order, whatever its own outcome.
          if (fifo && earlierOfGroupRetried && wanted(record) === 'acknowledged') expect(got).toBe('retried');
          else if (fifo && earlierOfGroupRetried && wanted(record) === 'dead-lettered')
            expect(['dead-lettered', 'retried']).toContain(got);
          else expect(got).toBe(wanted(record));
        }
        // The failures in the batch's order, as Lambda reads a FIFO batch's.
        const position = (id: string) => records.findIndex((r) => r.messageId === id);
        expect(retried.map(position)).toEqual([...retried.map(position)].sort((a, b) => a - b));
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
