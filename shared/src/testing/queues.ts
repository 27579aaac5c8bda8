import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientSettings, awsEnvironmentSchema, createSqsClient } from '../aws/clients';
import { loadConfig } from '../config/load-config';
import { waitFor } from './wait-for';

/**
 * An SQS client on the configured endpoint (the local cloud in tests) and the URL of a queue there, for a test's
 * beforeAll; the test destroys the client in its afterAll.
 */
export async function openQueue(name: string): Promise<{ sqs: SQSClient; url: string }> {
  const sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  return { sqs, url: QueueUrl! };
}

/**
 * Up to ten messages at the head of a queue, with their attributes, without hiding them from anyone
 * else (visibility 0): for looking into a DLQ from a test or a demo. Each look still counts as a receive.
 */
export async function peekMessages(sqs: SQSClient, queueUrl: string, waitSeconds = 0): Promise<Message[]> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      VisibilityTimeout: 0,
      MessageAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

export interface QueueDepth {
  /** Waiting to be received. */
  waiting: number;
  /** Received and not yet deleted (being processed, or lost by a consumer until their visibility timeout ends). */
  hidden: number;
  /** Sent with a delay not yet over. */
  delayed: number;
}

/** A queue's messages by state (the approximate counts, which ElasticMQ keeps exactly). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    hidden: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Whether a queue holds nothing: none waiting, in flight or delayed. */
export const isEmpty = (depth: QueueDepth): boolean => depth.waiting + depth.hidden + depth.delayed === 0;

/** Whether the queue holds nothing now, in flight and delayed included. */
export async function queueIsEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  return isEmpty(await queueDepth(sqs, queueUrl));
}

/**
 * Waits until a queue holds nothing, in flight and delayed included: every message its consumer was given has been
 * deleted, so whatever the consumer does with them is done. Fails saying which queue and what it still held.
 */
export async function waitForQueueDrained(
  sqs: SQSClient,
  queueUrl: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  let last: QueueDepth | undefined;
  const name = queueUrl.split('/').pop();
  try {
    await waitFor(
      `${name} to be empty, in flight included`,
      async () => {
        last = await queueDepth(sqs, queueUrl);
        return isEmpty(last) ? true : undefined;
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: options.intervalMs ?? 200 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; it still held ${JSON.stringify(last)}`);
  }
}
