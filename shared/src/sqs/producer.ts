import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Envelope } from '../contracts/envelope';
import { describeError } from '../errors';
import { backoffDelay } from '../retry';
import { envelopeAttributes, messageSize } from './message-attributes';

/** SQS limits for one SendMessageBatch call. */
export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 256 * 1024;

export type PublishResult =
  | { id: string; status: 'sent'; messageId: string; attempts: number }
  | { id: string; status: 'failed'; reason: string; retryable: boolean; attempts: number };

export interface PublishOptions {
  /** FIFO queues: the ordering group of each message (spread groups: one group is consumed serially). */
  messageGroupId?: (envelope: Envelope) => string;
  /** Attempts per message, including the first. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How many batches are in flight at once. */
  concurrency?: number;
  maxBatchBytes?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Pending {
  index: number;
  envelope: Envelope;
  entry: SendMessageBatchRequestEntry;
  size: number;
  attempts: number;
}

/** Raised by assertAllSent for callers that need all-or-nothing. */
export class PublishError extends Error {
  override name = 'PublishError';
  constructor(readonly failures: Extract<PublishResult, { status: 'failed' }>[]) {
    super(
      `${failures.length} message(s) were not published: ` +
        failures
          .slice(0, 5)
          .map((f) => `${f.id} (${f.reason})`)
          .join('; ') +
        (failures.length > 5 ? '; ...' : ''),
    );
  }
}

export function assertAllSent(results: readonly PublishResult[]): void {
  const failures = results.filter((r): r is Extract<PublishResult, { status: 'failed' }> => r.status === 'failed');
  if (failures.length > 0) throw new PublishError(failures);
}

/** SQS deduplication ids are 1-128 printable ASCII characters; anything else is hashed. */
export function deduplicationId(id: string): string {
  return /^[\x21-\x7e]{1,128}$/.test(id) ? id : createHash('sha256').update(id).digest('hex');
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Packs entries into batches of at most 10 messages and maxBytes, preserving order. */
export function packBatches<T extends { size: number }>(items: readonly T[], maxBytes: number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length === SQS_MAX_BATCH_ENTRIES || (current.length > 0 && bytes + item.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Publishes envelopes to one queue and reports, per message, whether it was sent.
 *
 * Never drops a message silently: a message is either acknowledged by SQS, or
 * comes back as `failed` with the reason and whether retrying later could help.
 * Entries that SQS rejects inside an accepted batch, and whole batches that fail
 * (throttling, network), are retried with exponential backoff and full jitter;
 * entries SQS marks as the sender's fault are not retried. The envelope id is the
 * FIFO deduplication id, so a retried send never creates a duplicate there.
 */
export async function publishEnvelopes(
  sqs: SQSClient,
  queueUrl: string,
  envelopes: readonly Envelope[],
  options: PublishOptions = {},
): Promise<PublishResult[]> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 50;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  const maxBatchBytes = options.maxBatchBytes ?? SQS_MAX_BATCH_BYTES;
  const concurrency = options.concurrency ?? 8;
  const sleep = options.sleep ?? defaultSleep;
  const results = new Array<PublishResult>(envelopes.length);

  let pending: Pending[] = [];
  envelopes.forEach((envelope, index) => {
    const body = JSON.stringify(envelope);
    const attributes = envelopeAttributes(envelope);
    const size = messageSize(body, attributes);
    if (size > maxBatchBytes) {
      results[index] = {
        id: envelope.id,
        status: 'failed',
        reason: `message is ${size} bytes; SQS accepts at most ${maxBatchBytes}. Store the payload in S3 and send a reference.`,
        retryable: false,
        attempts: 0,
      };
      return;
    }
    const entry: SendMessageBatchRequestEntry = {
      // Batch entry ids must be unique within a call and match [A-Za-z0-9_-]{1,80}.
      Id: String(index),
      MessageBody: body,
      MessageAttributes: attributes,
    };
    if (options.messageGroupId) {
      entry.MessageGroupId = options.messageGroupId(envelope);
      entry.MessageDeduplicationId = deduplicationId(envelope.id);
    }
    pending.push({ index, envelope, entry, size, attempts: 0 });
  });

  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelay(attempt - 1, { baseMs: baseDelayMs, capMs: maxDelayMs, jitter: 'full' }));
    }
    const retry: Pending[] = [];
    const batches = packBatches(pending, maxBatchBytes);
    for (let start = 0; start < batches.length; start += concurrency) {
      await Promise.all(
        batches
          .slice(start, start + concurrency)
          .map((batch) => sendBatch(sqs, queueUrl, batch, maxAttempts, results, retry)),
      );
    }
    pending = retry;
  }
  return results;
}

async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  batch: Pending[],
  maxAttempts: number,
  results: PublishResult[],
  retry: Pending[],
): Promise<void> {
  for (const item of batch) item.attempts += 1;
  const fail = (item: Pending, reason: string, retryable: boolean): void => {
    if (retryable && item.attempts < maxAttempts) {
      retry.push(item);
    } else {
      results[item.index] = { id: item.envelope.id, status: 'failed', reason, retryable, attempts: item.attempts };
    }
  };

  let output;
  try {
    output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((b) => b.entry) }));
  } catch (error) {
    for (const item of batch) fail(item, `SendMessageBatch failed: ${describeError(error)}`, true);
    return;
  }
  const byId = new Map(batch.map((item) => [item.entry.Id, item]));
  for (const ok of output.Successful ?? []) {
    const item = byId.get(ok.Id);
    if (!item) continue;
    byId.delete(ok.Id);
    results[item.index] = {
      id: item.envelope.id,
      status: 'sent',
      messageId: ok.MessageId ?? '',
      attempts: item.attempts,
    };
  }
  for (const failed of output.Failed ?? []) {
    const item = byId.get(failed.Id);
    if (!item) continue;
    byId.delete(failed.Id);
    fail(item, `${failed.Code ?? 'error'}: ${failed.Message ?? 'no message'}`, failed.SenderFault !== true);
  }
  // SQS answered without mentioning some entries: treat as not sent, and try again.
  for (const item of byId.values()) fail(item, 'SQS response did not mention this entry', true);
}

export interface Publisher<TEnvelope extends Envelope> {
  publish(envelopes: readonly TEnvelope[]): Promise<PublishResult[]>;
}

/** A publisher bound to one queue; the queue URL is resolved lazily (names travel in configuration). */
export function createPublisher<TEnvelope extends Envelope>(
  sqs: SQSClient,
  queueUrl: () => Promise<string>,
  options: PublishOptions = {},
): Publisher<TEnvelope> {
  return {
    async publish(envelopes) {
      if (envelopes.length === 0) return [];
      return publishEnvelopes(sqs, await queueUrl(), envelopes, options);
    },
  };
}
