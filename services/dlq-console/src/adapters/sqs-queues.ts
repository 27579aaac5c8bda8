/**
 * The stage's queues on SQS: the DLQs found from their sources' redrive policies (what the services declared and
 * deployed, never a list typed in), and the receive, release, delete and send a redrive and the sweeper need.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ATTRIBUTE, QueueUrlResolver } from '@backbone/shared';
import type { DeadLetterQueue, QueuePort, ReceivedMessage } from '../domain/ports';

/** Attributes sent as SQS Numbers (the rest are Strings), as the producer and the DLQ sink send them. */
const NUMBER_ATTRIBUTES = new Set<string>([ATTRIBUTE.version, ATTRIBUTE.failureReceiveCount]);

const nameOf = (urlOrArn: string): string =>
  urlOrArn.slice(Math.max(urlOrArn.lastIndexOf('/'), urlOrArn.lastIndexOf(':')) + 1);

export function createSqsQueues(sqs: SQSClient, options: { stage: string }): QueuePort {
  const urls = new QueueUrlResolver(sqs);
  const stageSegment = `-${options.stage}-`;

  const listStageQueues = async (): Promise<string[]> => {
    const found: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }));
      found.push(...(page.QueueUrls ?? []).filter((url) => nameOf(url).includes(stageSegment)));
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  };

  return {
    async deadLetterQueues() {
      const queues = await Promise.all(
        (await listStageQueues()).map(async (url) => {
          const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: [
                'RedrivePolicy',
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'MessageRetentionPeriod',
              ],
            }),
          );
          return { name: nameOf(url), attributes: Attributes };
        }),
      );
      const dlqs = new Map<string, DeadLetterQueue>();
      for (const queue of queues) {
        const policy = queue.attributes['RedrivePolicy'];
        if (!policy) continue;
        const target = nameOf((JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn);
        const dlq = queues.find((q) => q.name === target);
        if (!dlq) continue;
        const entry = dlqs.get(target) ?? {
          name: target,
          fifo: target.endsWith('.fifo'),
          sources: [],
          depth: Number(dlq.attributes['ApproximateNumberOfMessages'] ?? 0),
          inFlight: Number(dlq.attributes['ApproximateNumberOfMessagesNotVisible'] ?? 0),
          retentionSeconds: Number(dlq.attributes['MessageRetentionPeriod'] ?? 345_600),
        };
        entry.sources.push(queue.name);
        dlqs.set(target, entry);
      }
      return [...dlqs.values()].sort((a, b) => a.name.localeCompare(b.name));
    },

    async receive(queue, max, visibilitySeconds) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: await urls.resolve(queue),
          MaxNumberOfMessages: max,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount', 'MessageGroupId'],
        }),
      );
      return Messages.map((message): ReceivedMessage => {
        const attributes: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.MessageAttributes ?? {}))
          if (value.StringValue !== undefined) attributes[name] = value.StringValue;
        const sent = Number(message.Attributes?.SentTimestamp);
        return {
          messageId: message.MessageId!,
          receiptHandle: message.ReceiptHandle!,
          body: message.Body ?? '',
          attributes,
          ...(message.Attributes?.MessageGroupId ? { groupId: message.Attributes.MessageGroupId } : {}),
          ...(Number.isFinite(sent) ? { sentAt: new Date(sent).toISOString() } : {}),
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
        };
      });
    },

    async release(queue, receiptHandle) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: await urls.resolve(queue),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },

    async delete(queue, receiptHandle) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: await urls.resolve(queue), ReceiptHandle: receiptHandle }));
    },

    async send(queue, message) {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(message.attributes))
        attributes[name] = { DataType: NUMBER_ATTRIBUTES.has(name) ? 'Number' : 'String', StringValue: value };
      const { MessageId } = await sqs.send(
        new SendMessageCommand({
          QueueUrl: await urls.resolve(queue),
          MessageBody: message.body,
          MessageAttributes: attributes,
          ...(message.groupId
            ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId }
            : {}),
        }),
      );
      return MessageId!;
    },
  };
}
