import { SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { deadLetterRecordedV1, MAX_FAILED_DESTINATIONS, type FailureKind } from '../contracts/dead-letters';
import type { DestinationFailure } from '../errors';
import { queueNameOf } from '../aws/queue-urls';
import { ATTRIBUTE, ownAttributes } from './message-attributes';
import { deduplicationId } from './producer';

export interface Failure {
  kind: Exclude<FailureKind, 'unexplained'>;
  reason: string;
  receiveCount: number;
  /** The destinations that failed, when the failure is theirs. */
  destinations?: readonly DestinationFailure[];
}

/** Where a consumer puts a message it gives up on, together with why. */
export interface DeadLetterSink {
  send(record: SQSRecord, failure: Failure): Promise<void>;
}

/** The body of a dead letter whose record had none: SQS takes no empty message. */
const NO_BODY = '(the record had no body)';

// SQS allows 10 message attributes; the failure description takes up to seven of them.
const MAX_ATTRIBUTES = 10;
const MAX_REASON_LENGTH = 1_000;

function originalAttributes(record: SQSRecord): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(ownAttributes(record.messageAttributes, { keepRedriveMarks: true }))) {
    if (value.stringValue !== undefined) {
      attributes[name] = { DataType: value.dataType, StringValue: value.stringValue };
    } else if (value.binaryValue !== undefined) {
      attributes[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
    }
  }
  return attributes;
}

/**
 * Sends the original body to the DLQ with the failure described in message
 * attributes (reason, kind, time, source queue, receive count, original id).
 *
 * SQS's own redrive (maxReceiveCount) moves a message without saying why; doing
 * it here, on the last attempt, keeps the reason next to the message for the
 * operators who inspect and redrive it. The redrive policy stays as the safety
 * net for what this cannot see (a crashed or timed-out function).
 */
export function createDeadLetterQueueSink(
  sqs: SQSClient,
  queueUrl: () => Promise<string>,
  options: DeadLetterNoticeOptions = {},
): DeadLetterSink {
  return {
    async send(record, failure) {
      const at = new Date().toISOString();
      const failureAttributes: Record<string, MessageAttributeValue> = {
        [ATTRIBUTE.failureReason]: { DataType: 'String', StringValue: failure.reason.slice(0, MAX_REASON_LENGTH) },
        [ATTRIBUTE.failureKind]: { DataType: 'String', StringValue: failure.kind },
        [ATTRIBUTE.failedAt]: { DataType: 'String', StringValue: at },
        [ATTRIBUTE.failureSource]: { DataType: 'String', StringValue: record.eventSourceARN || 'unknown' },
        [ATTRIBUTE.failureReceiveCount]: { DataType: 'Number', StringValue: String(failure.receiveCount) },
        [ATTRIBUTE.failureMessageId]: { DataType: 'String', StringValue: record.messageId },
        ...(failure.destinations?.length
          ? {
              [ATTRIBUTE.failureDestinations]: {
                DataType: 'String',
                StringValue: destinationNames(failure.destinations),
              },
            }
          : {}),
      };
      // Keep the envelope attributes first: they are what the DLQ console groups by.
      const kept = Object.entries(originalAttributes(record))
        .sort(([a], [b]) => Number(!a.startsWith('message.')) - Number(!b.startsWith('message.')))
        .slice(0, MAX_ATTRIBUTES - Object.keys(failureAttributes).length);
      const groupId = record.attributes?.MessageGroupId;
      const url = await queueUrl();
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          // SQS refuses an empty body; a record that had none (never sent by SQS itself) is kept with a marker.
          MessageBody: record.body || NO_BODY,
          MessageAttributes: { ...Object.fromEntries(kept), ...failureAttributes },
          ...(groupId ? { MessageGroupId: groupId, MessageDeduplicationId: deduplicationId(record.messageId) } : {}),
        }),
      );
      if (!options.notices || !sent.MessageId) return;
      // The dead letter is safe in the DLQ: a notice that fails is made up by the console's sweeper, so it never
      // fails the record.
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: await options.notices(),
            MessageBody: JSON.stringify(deadLetterNotice(record, { ...failure, at }, url, sent.MessageId)),
          }),
        );
      } catch (error) {
        options.onNoticeFailed?.(error);
      }
    },
  };
}

export interface DeadLetterNoticeOptions {
  /** The dead-letter console's notices queue (its URL); without it, no notice is sent. */
  notices?: () => Promise<string>;
  onNoticeFailed?: (error: unknown) => void;
}

/** The failed destinations' names as the `failure.destinations` attribute holds them: comma separated, once each. */
export const destinationNames = (destinations: readonly DestinationFailure[]): string =>
  [...new Set(destinations.map((d) => d.destination))].join(',');

/** Bodies up to this size go with the notice; a larger one is read from the DLQ when someone looks at it. */
const NOTICE_BODY_LIMIT = 200_000;

/** The DeadLetterRecorded notice for a record just dead-lettered as `dlqMessageId` in the DLQ at `dlqUrl`. */
export function deadLetterNotice(
  record: SQSRecord,
  failure: Failure & { at: string },
  dlqUrl: string,
  dlqMessageId: string,
) {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(ownAttributes(record.messageAttributes, { keepRedriveMarks: true })))
    if (value.stringValue !== undefined) attributes[name] = value.stringValue;
  const version = Number(attributes[ATTRIBUTE.version]);
  const groupId = record.attributes?.MessageGroupId;
  const body = record.body || NO_BODY;
  return deadLetterRecordedV1.create(
    {
      dlq: queueNameOf(dlqUrl),
      dlqMessageId,
      source: record.eventSourceARN || 'unknown',
      failure: {
        kind: failure.kind,
        reason: failure.reason.slice(0, MAX_REASON_LENGTH),
        at: failure.at,
        receiveCount: failure.receiveCount,
        originalMessageId: record.messageId,
        destinations: (failure.destinations ?? []).slice(0, MAX_FAILED_DESTINATIONS).map((d) => ({
          destination: d.destination,
          ...(d.code === undefined ? {} : { code: d.code }),
          message: d.message.slice(0, MAX_REASON_LENGTH),
        })),
      },
      ...(attributes[ATTRIBUTE.type] ? { messageType: attributes[ATTRIBUTE.type] } : {}),
      ...(Number.isInteger(version) && version > 0 ? { messageVersion: version } : {}),
      ...(groupId ? { groupId } : {}),
      ...(Buffer.byteLength(body) <= NOTICE_BODY_LIMIT ? { body } : {}),
      attributes,
    },
    { id: `dead-letter:${dlqMessageId}` },
  );
}
