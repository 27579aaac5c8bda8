import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

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
