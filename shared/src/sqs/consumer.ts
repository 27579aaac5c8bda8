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
import type { QueueUrlResolver } from '../aws/queue-urls';
import { describeError, isRetryable } from '../errors';
import type { DeadLetterSink } from './dead-letter';

export interface RetryBackoff {
  /** Delay before the second delivery; doubles with each further delivery, with full jitter. */
  baseSeconds: number;
  maxSeconds: number;
  changeVisibility(record: SQSRecord, seconds: number): Promise<void>;
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
}

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export const receiveCountOf = (record: SQSRecord): number => {
  const count = Number(record.attributes.ApproximateReceiveCount);
  return Number.isFinite(count) && count > 0 ? count : 1;
};

export function backoffSeconds(
  receiveCount: number,
  backoff: Pick<RetryBackoff, 'baseSeconds' | 'maxSeconds'>,
  random = Math.random,
): number {
  const ceiling = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  // Full jitter spreads redeliveries of a failed burst; never 0, which would retry at once.
  return Math.max(1, Math.round(random() * ceiling));
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
export function createSqsConsumer<TEnvelope>(options: SqsConsumerOptions<TEnvelope>): SqsBatchHandler {
  const { reader, handle, deadLetters, maxReceiveCount, logger, backoff, metrics } = options;
  const count = (name: string): void => {
    metrics?.addMetric(name, MetricUnit.Count, 1);
  };
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) {
    throw new Error(
      `maxReceiveCount must be a positive integer (the queue's redrive maxReceiveCount), got ${maxReceiveCount}`,
    );
  }

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const receiveCount = receiveCountOf(record);
    try {
      const envelope = reader.read(record.body);
      await handle(envelope, record);
      count('RecordsProcessed');
    } catch (error) {
      const reason = describeError(error);
      const retryable = isRetryable(error);
      const context = { messageId: record.messageId, receiveCount, maxReceiveCount, reason };
      if (!retryable || receiveCount >= maxReceiveCount) {
        await deadLetters.send(record, { kind: retryable ? 'retries-exhausted' : 'permanent', reason, receiveCount });
        logger.warn('message moved to the dead-letter queue', {
          ...context,
          kind: retryable ? 'retries-exhausted' : 'permanent',
        });
        count('RecordsDeadLettered');
        return;
      }
      if (backoff) {
        const delay = backoffSeconds(receiveCount, backoff, options.random);
        try {
          await backoff.changeVisibility(record, delay);
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
      throw error;
    }
  };

  const withMetrics =
    (handler: SqsBatchHandler): SqsBatchHandler =>
    async (event, context) => {
      try {
        return await handler(event, context);
      } finally {
        metrics?.publishStoredMetrics();
      }
    };

  if (options.fifo) {
    return withMetrics(async (event, context) =>
      processPartialResponse(event, recordHandler, new SqsFifoPartialProcessorAsync(), {
        context,
        throwOnFullBatchFailure: false,
        skipGroupOnError: true,
      }),
    );
  }
  return withMetrics(async (event, context) =>
    processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
      context,
      throwOnFullBatchFailure: false,
    }),
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
      const queueName = record.eventSourceARN.split(':').pop() ?? '';
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await queueUrls.resolve(queueName),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.min(seconds, 43_200),
        }),
      );
    },
  };
}
