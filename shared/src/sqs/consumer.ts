import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ContractReader } from '../contracts/envelope';
import { queueNameOf, type QueueUrlResolver } from '../aws/queue-urls';
import { describeError, InvalidMessageError, isRetryable, OutcomeUnknownError, ProcessingError } from '../errors';
import { deadlineKeeping } from '../lambda/deadline';
import { withCorrelation, type Correlation } from '../observability/correlation';
import { retryUntil } from '../retry';
import type { DeadLetterSink, Failure } from './dead-letter';

export interface RetryBackoff {
  /** Delay before the second delivery; doubles with each further delivery, with full jitter. */
  baseSeconds: number;
  maxSeconds: number;
  changeVisibility(record: SQSRecord, seconds: number): Promise<void>;
}

/** The backoff of a consumer whose function sets none (sqsConsumerConfigSchema's defaults). */
export const DEFAULT_RETRY_BACKOFF = { baseSeconds: 2, maxSeconds: 60 } as const;

/**
 * The tags a source queue carries when its consumer backs off otherwise than by default: the dead-letter console
 * reads them to know how long a redriven message that keeps failing takes to come back.
 */
export const RETRY_BACKOFF_TAGS = { baseSeconds: 'retry-base-seconds', maxSeconds: 'retry-max-seconds' } as const;

/**
 * How long a message that fails on every delivery takes to be dead-lettered again: the longest wait before each of
 * its retries (the backoff's ceiling; the jitter only shortens it), one fewer than the queue's maxReceiveCount.
 */
export function retryWindowSeconds(
  maxReceiveCount: number,
  backoff: Pick<RetryBackoff, 'baseSeconds' | 'maxSeconds'>,
): number {
  let total = 0;
  for (let receive = 1; receive < maxReceiveCount; receive++)
    total += Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** (receive - 1));
  return total;
}

export interface SqsConsumerOptions<TEnvelope> {
  reader: ContractReader<TEnvelope>;
  handle: (envelope: TEnvelope, record: SQSRecord) => Promise<void>;
  deadLetters: DeadLetterSink;
  /** Must equal the source queue's redrive maxReceiveCount: on that delivery we dead-letter with the reason. */
  maxReceiveCount: number;
  logger: Logger;
  /** FIFO queues: a failed record holds back only the later records of its own message group. */
  fifo?: boolean;
  backoff?: RetryBackoff;
  /** Counts per batch: RecordsProcessed, RecordsRetried, RecordsDeadLettered (CloudWatch EMF). */
  metrics?: Metrics;
  random?: () => number;
  /** Waits between attempts to settle a record (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const receiveCountOf = (record: SQSRecord): number => {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
};

export function backoffSeconds(
  receiveCount: number,
  backoff: Pick<RetryBackoff, 'baseSeconds' | 'maxSeconds'>,
  random = Math.random,
): number {
  const ceiling = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  // Equal jitter: half the delay is certain, half random. The random half spreads the redeliveries of
  // a failed burst; the certain half means n retries always span a known time, so an outage shorter
  // than that is ridden out (full jitter can draw near-zero delays and spend every retry in a minute).
  return Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
}

/**
 * Builds an SQS-triggered Lambda handler that processes each record on its own:
 *
 * - a record that succeeds is deleted (reported as success);
 * - a permanent failure (invalid message, refused for good) goes to the DLQ now,
 *   with its reason, and is removed from the source queue;
 * - a retryable failure is reported in batchItemFailures, so only that record is
 *   redelivered, after a backoff delay when configured; on its last allowed
 *   delivery it goes to the DLQ with the last reason instead.
 *
 * One bad record never fails its siblings.
 */
type FailurePolicyOptions = Pick<
  SqsConsumerOptions<unknown>,
  'deadLetters' | 'maxReceiveCount' | 'logger' | 'backoff' | 'metrics' | 'random' | 'sleep'
>;

// Settling a record (to the DLQ, or a later redelivery) is tried up to this many times, about 16.5 s of waits, and
// never past the invocation's deadline less SETTLE_MARGIN_MS: an endpoint gone for several seconds then costs a
// wait, not a message that comes back only after its visibility timeout (or, dead-lettered but not deleted, twice).
// (Eight attempts, 4.5 s of waits, fell short of a gateway stopped for 3 s and restarted on a busy CI machine.)
const SETTLE_ATTEMPTS = 20;
const SETTLE_MARGIN_MS = 500;

/** When settling must stop trying: the invocation's deadline less a margin (none without a context). */
const settleDeadline = (context: Context | undefined): number | undefined =>
  context ? deadlineKeeping(context, SETTLE_MARGIN_MS) : undefined;

/**
 * What happens to a record that failed: to the DLQ with its reason (permanent, or its last allowed
 * delivery), or back to the queue after a backoff. Returns whether the record must be reported as a
 * batch item failure (so SQS redelivers it).
 */
function failurePolicy(options: FailurePolicyOptions) {
  const { deadLetters, maxReceiveCount, logger, backoff, metrics } = options;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
    throw new Error(
      `maxReceiveCount must be a positive integer (the queue's redrive maxReceiveCount), got ${maxReceiveCount}`,
    );
  }
  const count = (name: string, n = 1): void => {
    if (n > 0) metrics?.addMetric(name, MetricUnit.Count, n);
  };
  return {
    count,
    async settle(record: SQSRecord, error: unknown, until?: number): Promise<'dead-lettered' | 'retry'> {
      const limits = { until, attempts: SETTLE_ATTEMPTS, sleep: options.sleep };
      const receiveCount = receiveCountOf(record);
      const reason = describeError(error);
      const retryable = isRetryable(error);
      const context = {
        messageId: record.messageId,
        ...correlationIdOfBody(record),
        receiveCount,
        maxReceiveCount,
        reason,
      };
      if (!retryable || receiveCount >= maxReceiveCount) {
        const kind: Failure['kind'] = retryable
          ? 'retries-exhausted'
          : error instanceof OutcomeUnknownError
            ? 'outcome-unknown'
            : 'permanent';
        const destinations = error instanceof ProcessingError ? error.destinations : [];
        await retryUntil(() => deadLetters.send(record, { kind, reason, receiveCount, destinations }), limits);
        logger.warn('message moved to the dead-letter queue', { ...context, kind });
        count('RecordsDeadLettered');
        return 'dead-lettered';
      }
      if (backoff) {
        const delay = backoffSeconds(receiveCount, backoff, options.random);
        try {
          await retryUntil(() => backoff.changeVisibility(record, delay), limits);
        } catch (visibilityError) {
          // The message still comes back after the queue's visibility timeout.
          logger.warn('could not delay redelivery', {
            messageId: record.messageId,
            error: describeError(visibilityError),
          });
        }
        logger.info('retryable failure, redelivery scheduled', { ...context, delaySeconds: delay });
      } else {
        logger.info('retryable failure, will be redelivered', context);
      }
      count('RecordsRetried');
      return 'retry';
    },
  };
}

/**
 * A record's envelope. A record without a body or attributes is nothing SQS sends: it is invalid (to the DLQ with
 * the reason), not a failure to retry until the queue's redrive gives up on it without saying why.
 */
function readRecord<TEnvelope>(reader: ContractReader<TEnvelope>, record: SQSRecord): TEnvelope {
  const missing = [
    typeof record.body !== 'string' ? 'body' : undefined,
    typeof record.attributes !== 'object' || record.attributes === null ? 'attributes' : undefined,
  ].filter(Boolean);
  if (missing.length > 0)
    throw new InvalidMessageError(
      `the SQS record has no ${missing.join(' and ')}: it was not delivered by SQS as Lambda's event source does. ` +
        `Check what invoked the function.`,
    );
  return reader.read(record.body);
}

/** A failed record's correlationId, for the line that says what became of it (nothing when its body has none). */
function correlationIdOfBody(record: SQSRecord): { correlationId?: string } {
  try {
    const { correlationId } = JSON.parse(record.body) as { correlationId?: unknown };
    return typeof correlationId === 'string' ? { correlationId: correlationId.slice(0, 256) } : {};
  } catch {
    return {};
  }
}

/** The correlation a record's handling runs in: its envelope's correlationId (or its own id), and the message id. */
const correlationOf = (envelope: unknown, record: SQSRecord): Correlation => {
  const { correlationId, id } = (envelope ?? {}) as { correlationId?: unknown; id?: unknown };
  const chosen = typeof correlationId === 'string' ? correlationId : typeof id === 'string' ? id : record.messageId;
  return { correlationId: chosen, messageId: record.messageId };
};

/**
 * Every invocation: the Lambda context on each log line (function, request id, cold start: Powertools' keys), and the
 * metrics published at its end.
 */
const withMetrics =
  (
    handler: SqsBatchHandler,
    metrics: Metrics | undefined,
    logger: Partial<Pick<Logger, 'addContext'>>,
  ): SqsBatchHandler =>
  async (event, context) => {
    // Test doubles of the logger may not have it; Powertools' always does.
    if (context && typeof logger.addContext === 'function') logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      metrics?.publishStoredMetrics();
    }
  };

export function createSqsConsumer<TEnvelope>(options: SqsConsumerOptions<TEnvelope>): SqsBatchHandler {
  const { reader, handle, metrics } = options;
  const policy = failurePolicy(options);

  const recordHandler = async (record: SQSRecord, context?: Context): Promise<void> => {
    try {
      const envelope = readRecord(reader, record);
      await withCorrelation(correlationOf(envelope, record), () => handle(envelope, record));
      policy.count('RecordsProcessed');
    } catch (error) {
      if ((await policy.settle(record, error, settleDeadline(context))) === 'retry') throw error;
    }
  };

  if (options.fifo) {
    return withMetrics(
      async (event, context) =>
        processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
          context,
          throwOnFullBatchFailure: false,
          skipGroupOnError: true,
        }),
      metrics,
      options.logger,
    );
  }
  return withMetrics(
    async (event, context) =>
      processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
        context,
        throwOnFullBatchFailure: false,
      }),
    metrics,
    options.logger,
  );
}

export interface SqsBatchConsumerOptions<TEnvelope> extends Omit<SqsConsumerOptions<TEnvelope>, 'handle'> {
  /**
   * Handles every valid record of the batch at once (for destinations that take batches) and returns,
   * per item and in order, undefined for success or the error that record failed with.
   */
  handleBatch: (items: readonly { envelope: TEnvelope; record: SQSRecord }[], context: Context) => Promise<unknown[]>;
}

/**
 * The same guarantees as createSqsConsumer (an invalid record to the DLQ with its reason, a retryable
 * one back after a backoff and to the DLQ on its last delivery, partial batch responses), for a handler
 * that works on the whole batch. On a FIFO queue (`fifo`), a record that is to come back takes the later
 * records of its message group with it, handled or not, so that the group is redelivered in order (handlers
 * of FIFO batches must be idempotent, as redelivered records are handled again).
 */
export function createSqsBatchConsumer<TEnvelope>(options: SqsBatchConsumerOptions<TEnvelope>): SqsBatchHandler {
  const { reader, handleBatch, metrics } = options;
  const policy = failurePolicy(options);
  return withMetrics(
    async (event, context) => {
      const failed: string[] = [];
      /** Dead-lettered: settled for good, so never handed back with its group (it would be dead-lettered twice). */
      const deadLettered = new Set<string>();
      const until = settleDeadline(context);
      const settle = async (record: SQSRecord, error: unknown): Promise<void> => {
        try {
          if ((await policy.settle(record, error, until)) === 'retry') failed.push(record.messageId);
          else deadLettered.add(record.messageId);
        } catch (sinkError) {
          // The DLQ could not take it: leave it on the queue (its redrive policy is the safety net).
          options.logger.error('could not settle a failed record; it stays on the queue', {
            messageId: record.messageId,
            error: describeError(sinkError),
          });
          failed.push(record.messageId);
        }
      };
      const valid: { envelope: TEnvelope; record: SQSRecord }[] = [];
      // Invalid records are settled while the valid ones are handled: a DLQ that is slow to answer holds back nothing.
      const settling: Promise<void>[] = [];
      for (const record of event.Records) {
        try {
          valid.push({ envelope: readRecord(reader, record), record });
        } catch (error) {
          settling.push(settle(record, error));
        }
      }
      let outcomes: unknown[];
      try {
        outcomes = valid.length > 0 ? await handleBatch(valid, context) : [];
        // One outcome per record, in order, or none is trusted: a record without its own outcome is never taken as
        // handled (acknowledged and gone), so every record is tried again (batch handlers are idempotent).
        if (outcomes.length !== valid.length)
          throw new Error(
            `the batch handler answered ${outcomes.length} outcome(s) for ${valid.length} record(s); ` +
              'each record is tried again (a handler must answer one outcome per record, in order)',
          );
      } catch (error) {
        outcomes = valid.map(() => error);
      }
      let processed = 0;
      valid.forEach(({ record }, i) => {
        const error = outcomes[i];
        if (error === undefined) processed++;
        else settling.push(settle(record, error));
      });
      await Promise.all(settling);
      policy.count('RecordsProcessed', processed);
      if (options.fifo && failed.length > 0) {
        const held = new Set<string>();
        const retried = new Set(failed);
        for (const record of event.Records) {
          const group = record.attributes?.MessageGroupId;
          if (group === undefined) continue;
          if (held.has(group) && !retried.has(record.messageId) && !deadLettered.has(record.messageId)) {
            failed.push(record.messageId);
            retried.add(record.messageId);
          }
          if (retried.has(record.messageId)) held.add(group);
        }
      }
      // In the batch's order, as Lambda reads the failures of a FIFO batch.
      const order = new Map(event.Records.map((record, i) => [record.messageId, i]));
      failed.sort((a, b) => order.get(a)! - order.get(b)!);
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    },
    metrics,
    options.logger,
  );
}

/** Delays redelivery by changing the visibility of the record's receipt on its source queue. */
export function sqsVisibilityBackoff(
  sqs: SQSClient,
  queueUrls: QueueUrlResolver,
  settings: Pick<RetryBackoff, 'baseSeconds' | 'maxSeconds'>,
): RetryBackoff {
  return {
    ...settings,
    async changeVisibility(record, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await queueUrls.resolve(queueNameOf(record.eventSourceARN)),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.min(seconds, 43_200),
        }),
      );
    },
  };
}
