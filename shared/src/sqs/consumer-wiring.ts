import type { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { awsClientSettings, awsEnvironmentSchema, createSqsClient, type AwsClientSettings } from '../aws/clients';
import { QueueUrlResolver } from '../aws/queue-urls';
import { DEFAULT_RETRY_BACKOFF, sqsVisibilityBackoff, type RetryBackoff } from './consumer';
import { createDeadLetterQueueSink, type DeadLetterSink } from './dead-letter';
import type { Logger, Metrics } from '../observability';

/**
 * What every SQS consumer's function reads from its environment besides its own settings: its DLQ, the source
 * queue's redrive maxReceiveCount, and the backoff between deliveries. Extend it with the function's own settings.
 */
export const sqsConsumerConfigSchema = awsEnvironmentSchema.extend({
  DEAD_LETTER_QUEUE_NAME: z.string().min(1, "set DEAD_LETTER_QUEUE_NAME to the source queue's DLQ"),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(DEFAULT_RETRY_BACKOFF.baseSeconds),
  RETRY_MAX_SECONDS: z.coerce.number().positive().default(DEFAULT_RETRY_BACKOFF.maxSeconds),
  /** The dead-letter console's notices queue: told of every dead letter, so it can show them without receiving. */
  DEAD_LETTER_NOTICES_QUEUE_NAME: z
    .string()
    .optional()
    .transform((name) => name || undefined),
});

export type SqsConsumerConfig = z.infer<typeof sqsConsumerConfigSchema>;

/**
 * What an SQS-triggered function's handler takes for its consumer, besides its own dependencies: extend it in the
 * handler's deps (`interface MyDeps extends SqsConsumerDeps { ... }`).
 */
export interface SqsConsumerDeps {
  deadLetters: DeadLetterSink;
  /** Must equal the source queue's redrive maxReceiveCount (see the shared consumer). */
  maxReceiveCount: number;
  logger: Logger;
  backoff?: RetryBackoff;
  metrics?: Metrics;
}

/** A consumer's deps as createSqsConsumer and createSqsBatchConsumer take them (a function's deps carry more). */
export const consumerSettings = ({ deadLetters, maxReceiveCount, logger, backoff, metrics }: SqsConsumerDeps) => ({
  deadLetters,
  maxReceiveCount,
  logger,
  ...(backoff ? { backoff } : {}),
  ...(metrics ? { metrics } : {}),
});

/** The parts createSqsConsumer and createSqsBatchConsumer take besides the handling, and the clients behind them. */
export interface SqsConsumerSideEffects {
  aws: AwsClientSettings;
  sqs: SQSClient;
  deadLetters: DeadLetterSink;
  backoff: RetryBackoff;
  maxReceiveCount: number;
}

/** One SQS client and queue-URL cache for a consumer's DLQ sends and its redelivery delays. */
export function sqsConsumerSideEffects(config: SqsConsumerConfig): SqsConsumerSideEffects {
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  return {
    aws,
    sqs,
    deadLetters: createDeadLetterQueueSink(sqs, () => queueUrls.resolve(config.DEAD_LETTER_QUEUE_NAME), {
      ...(config.DEAD_LETTER_NOTICES_QUEUE_NAME
        ? { notices: () => queueUrls.resolve(config.DEAD_LETTER_NOTICES_QUEUE_NAME!) }
        : {}),
      // The error names the queue, never the message.
      onNoticeFailed: (error) =>
        console.warn(
          JSON.stringify({
            level: 'WARN',
            message: 'dead-letter notice not sent; the console sweeper will index the dead letter',
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
    }),
    backoff: sqsVisibilityBackoff(sqs, queueUrls, {
      baseSeconds: config.RETRY_BASE_SECONDS,
      maxSeconds: config.RETRY_MAX_SECONDS,
    }),
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
  };
}
