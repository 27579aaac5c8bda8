import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { EnvelopeHeader } from '../contracts/envelope';

/**
 * Envelope header fields copied into SQS message attributes, so that consumers,
 * the DLQ console and redrive tools can route and filter without parsing bodies.
 */
export const ATTRIBUTE = {
  type: 'message.type',
  version: 'message.version',
  correlationId: 'message.correlationId',
  failureReason: 'failure.reason',
  failureKind: 'failure.kind',
  failedAt: 'failure.at',
  failureSource: 'failure.source',
  failureReceiveCount: 'failure.receiveCount',
  failureMessageId: 'failure.originalMessageId',
  /** The destinations that failed, comma separated (the notice carries each one's code and message). */
  failureDestinations: 'failure.destinations',
  /**
   * On a redriven message: the platforms to send to again although an earlier send may have arrived, comma
   * separated (an operator's decision, for an event dead-lettered because its outcome there was unknown).
   */
  resend: 'redrive.resend',
  /** On a redriven message: the redrive that sent it (the dead-letter console's audit trail names it). */
  redriveId: 'redrive.id',
} as const;

/**
 * A message's own attributes, without those the platform adds to it: a failure's description (`failure.*`, written
 * when it is dead-lettered) and, unless asked to keep them, a redrive's marks (`redrive.*`, written when it is sent
 * again). One definition for the DLQ writer, the console's index and every redrive.
 */
export function ownAttributes<T>(
  attributes: Readonly<Record<string, T>> | undefined,
  options: { keepRedriveMarks?: boolean } = {},
): Record<string, T> {
  const own: Record<string, T> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (name.startsWith('failure.')) continue;
    if (!options.keepRedriveMarks && name.startsWith('redrive.')) continue;
    own[name] = value;
  }
  return own;
}

export function envelopeAttributes(envelope: EnvelopeHeader): Record<string, MessageAttributeValue> {
  return {
    [ATTRIBUTE.type]: { DataType: 'String', StringValue: envelope.type },
    [ATTRIBUTE.version]: { DataType: 'Number', StringValue: String(envelope.version) },
    [ATTRIBUTE.correlationId]: { DataType: 'String', StringValue: envelope.correlationId },
  };
}

/** Bytes SQS counts against its size limit: body plus each attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, MessageAttributeValue> = {}): number {
  // Stryker disable StringLiteral: equivalent, Buffer.byteLength counts UTF-8 whatever encoding name is unknown.
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    size += value.StringValue !== undefined ? Buffer.byteLength(value.StringValue, 'utf8') : 0;
    size += value.BinaryValue?.byteLength ?? 0;
  }
  // Stryker restore StringLiteral
  return size;
}
