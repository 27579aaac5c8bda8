/**
 * The stage's queues on SQS: the DLQs found from their sources' redrive policies (what the services declared and
 * deployed, never a list typed in), and the receive, release, delete and send a redrive and the sweeper need.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  ATTRIBUTE,
  DEFAULT_RETRY_BACKOFF,
  QueueUrlResolver,
  queueNameOf,
  RETRY_BACKOFF_TAGS,
  retryWindowSeconds,
} from '@backbone/shared';
import type { DeadLetterQueue, OutgoingMessage, QueuePort, ReceivedMessage } from '../domain/ports';

/** Attributes sent as SQS Numbers (the rest are Strings), as the producer and the DLQ sink send them. */
const NUMBER_ATTRIBUTES = new Set<string>([ATTRIBUTE.version, ATTRIBUTE.failureReceiveCount]);

/** How long a source queue's backoff tags are trusted before they are read again. */
const BACKOFF_TAGS_KEPT_MS = 5 * 60_000;

/** A message as SendMessage and SendMessageBatch take it. */
function entryOf(message: OutgoingMessage) {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes))
    attributes[name] = { DataType: NUMBER_ATTRIBUTES.has(name) ? 'Number' : 'String', StringValue: value };
  return {
    MessageBody: message.body,
    MessageAttributes: attributes,
    ...(message.groupId ? { MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId } : {}),
  };
}

/**
 * `prefixes`: the project's queues, `<service>-<stage>-` for each of its services: the only queues the console looks
 * at (its IAM rights reach no other: another team's queue whose name holds the stage is not this console's).
 */
export function createSqsQueues(sqs: SQSClient, options: { prefixes: readonly string[] }): QueuePort {
  const urls = new QueueUrlResolver(sqs);

  const listStageQueues = async (): Promise<string[]> => {
    const found: string[] = [];
    for (const QueueNamePrefix of options.prefixes) {
      let NextToken: string | undefined;
      do {
        const page = await sqs.send(
          new ListQueuesCommand({ QueueNamePrefix, MaxResults: 1000, ...(NextToken ? { NextToken } : {}) }),
        );
        // The emulators may match a prefix loosely: the name must start with it.
        found.push(...(page.QueueUrls ?? []).filter((url) => queueNameOf(url).startsWith(QueueNamePrefix)));
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return [...new Set(found)];
  };

  /**
   * A source queue's consumer backoff: its tags say it when it is not the default (RETRY_BACKOFF_TAGS). They change
   * only with a deploy: read once per queue for a few minutes, not on every request that lists the DLQs.
   */
  const backoffs = new Map<string, { at: number; backoff: Promise<{ baseSeconds: number; maxSeconds: number }> }>();
  const backoffOf = (url: string): Promise<{ baseSeconds: number; maxSeconds: number }> => {
    const known = backoffs.get(url);
    if (known && Date.now() - known.at < BACKOFF_TAGS_KEPT_MS) return known.backoff;
    const backoff = readBackoff(url);
    backoffs.set(url, { at: Date.now(), backoff });
    backoff.catch(() => backoffs.delete(url));
    return backoff;
  };
  const readBackoff = async (url: string): Promise<{ baseSeconds: number; maxSeconds: number }> => {
    const { Tags = {} } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    const tagged = (name: string, fallback: number) => {
      const value = Number(Tags[name]);
      return Number.isFinite(value) && value > 0 ? value : fallback;
    };
    return {
      baseSeconds: tagged(RETRY_BACKOFF_TAGS.baseSeconds, DEFAULT_RETRY_BACKOFF.baseSeconds),
      maxSeconds: tagged(RETRY_BACKOFF_TAGS.maxSeconds, DEFAULT_RETRY_BACKOFF.maxSeconds),
    };
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
          return { name: queueNameOf(url), url, attributes: Attributes };
        }),
      );
      const dlqs = new Map<string, DeadLetterQueue>();
      for (const queue of queues) {
        const policy = queue.attributes['RedrivePolicy'];
        if (!policy) continue;
        const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as {
          deadLetterTargetArn: string;
          maxReceiveCount?: number | string;
        };
        const target = queueNameOf(deadLetterTargetArn);
        const dlq = queues.find((q) => q.name === target);
        if (!dlq) continue;
        const retrySeconds = retryWindowSeconds(Number(maxReceiveCount ?? 1), await backoffOf(queue.url));
        const entry = dlqs.get(target) ?? {
          name: target,
          fifo: target.endsWith('.fifo'),
          sources: [],
          depth: Number(dlq.attributes['ApproximateNumberOfMessages'] ?? 0),
          inFlight: Number(dlq.attributes['ApproximateNumberOfMessagesNotVisible'] ?? 0),
          retentionSeconds: Number(dlq.attributes['MessageRetentionPeriod'] ?? 345_600),
          retryWindowSeconds: 0,
        };
        entry.sources.push(queue.name);
        entry.retryWindowSeconds = Math.max(entry.retryWindowSeconds, retrySeconds);
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
      const { MessageId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: await urls.resolve(queue), ...entryOf(message) }),
      );
      return MessageId!;
    },

    async sendBatch(queue, messages) {
      const { Successful = [], Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: await urls.resolve(queue),
          Entries: messages.map((message, i) => ({ Id: String(i), ...entryOf(message) })),
        }),
      );
      const results: ({ id: string } | { error: string })[] = messages.map(() => ({ error: 'no answer for it' }));
      for (const ok of Successful) results[Number(ok.Id)] = { id: ok.MessageId! };
      for (const failed of Failed) results[Number(failed.Id)] = { error: `${failed.Code}: ${failed.Message ?? ''}` };
      return results;
    },

    async deleteBatch(queue, receiptHandles) {
      const { Failed = [] } = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: await urls.resolve(queue),
          Entries: receiptHandles.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
        }),
      );
      // A delete that failed leaves the message to come back after its visibility timeout: sent twice, which the
      // consumers' idempotency absorbs. Said, so that it is not silent.
      if (Failed.length > 0)
        throw new Error(`${Failed.length} redriven messages could not be deleted from ${queue}: ${Failed[0]!.Code}`);
    },

    async releaseBatch(queue, receiptHandles) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: await urls.resolve(queue),
          Entries: receiptHandles.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    },
  };
}
