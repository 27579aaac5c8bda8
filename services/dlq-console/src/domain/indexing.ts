/**
 * How dead letters enter the index: from a consumer's notice (the usual way), or from the sweeper, which looks
 * through a DLQ when it holds more than the index knows: a notice lost, or a message the queue's own redrive policy
 * moved there (a crash, a timeout) with no reason given.
 */
import { ATTRIBUTE, FAILURE_KINDS, ownAttributes, queueNameOf, type DeadLetterRecorded } from '@backbone/shared';
import type { DeadLetter, FailedDestination } from './dead-letters';

import { DlqWalk } from './dlq-walk';

import type { DeadLetterIndex, DeadLetterQueue, QueuePort, ReceivedMessage } from './ports';

export function deadLetterFromNotice(notice: DeadLetterRecorded): DeadLetter {
  return {
    dlq: notice.dlq,
    messageId: notice.dlqMessageId,
    sourceQueue: queueNameOf(notice.source),
    kind: notice.failure.kind,
    reason: notice.failure.reason,
    destinations: notice.failure.destinations,
    failedAt: notice.failure.at,
    receiveCount: notice.failure.receiveCount,
    originalMessageId: notice.failure.originalMessageId,
    ...(notice.messageType ? { messageType: notice.messageType } : {}),
    ...(notice.messageVersion ? { messageVersion: notice.messageVersion } : {}),
    ...(notice.groupId ? { groupId: notice.groupId } : {}),
    ...(notice.body !== undefined ? { body: notice.body } : {}),
    attributes: notice.attributes,
    indexedBy: 'consumer',
  };
}

/** A message found in a DLQ: described by its failure attributes when a consumer put it there, else unexplained. */
export function deadLetterFromMessage(dlq: DeadLetterQueue, message: ReceivedMessage): DeadLetter {
  const a = message.attributes;
  const kind = FAILURE_KINDS.find((k) => k === a[ATTRIBUTE.failureKind]);
  const version = Number(a[ATTRIBUTE.version]);
  const sourceArn = a[ATTRIBUTE.failureSource];
  const reason =
    a[ATTRIBUTE.failureReason] ??
    `moved here by the queue's redrive policy after ${message.receiveCount} receives, with no reason recorded ` +
      '(the consumer crashed or timed out on it): look at the function’s logs around that time';
  const source = sourceArn ? queueNameOf(sourceArn) : undefined;
  return {
    dlq: dlq.name,
    messageId: message.messageId,
    // A DLQ with one source: that one. With several and no attribute, the first (the reason says it is unexplained).
    sourceQueue: source ?? dlq.sources[0] ?? 'unknown',
    kind: kind ?? 'unexplained',
    reason,
    destinations: destinationsFromAttribute(a[ATTRIBUTE.failureDestinations]),
    failedAt: a[ATTRIBUTE.failedAt] ?? message.sentAt ?? new Date().toISOString(),
    receiveCount: Number(a[ATTRIBUTE.failureReceiveCount] ?? message.receiveCount),
    originalMessageId: a[ATTRIBUTE.failureMessageId] ?? message.messageId,
    ...(a[ATTRIBUTE.type] ? { messageType: a[ATTRIBUTE.type] } : {}),
    ...(Number.isInteger(version) && version > 0 ? { messageVersion: version } : {}),
    ...(message.groupId ? { groupId: message.groupId } : {}),
    body: message.body,
    attributes: ownAttributes(a, { keepRedriveMarks: true }),
    indexedBy: 'sweeper',
  };
}

/**
 * A dead letter whose notice was lost has its destinations' names in an attribute, without each one's code and
 * message: its reason holds them all.
 */
function destinationsFromAttribute(names: string | undefined): FailedDestination[] {
  return (names ?? '')
    .split(',')
    .filter(Boolean)
    .map((destination) => ({ destination }));
}

export interface SweepResult {
  dlq: string;
  depth: number;
  indexed: number;
  /** Dead letters the index lacked, now in it. */
  added: number;
}

/**
 * Indexes what a DLQ holds and the index lacks. Only DLQs with more messages than index entries are looked at. What
 * is looked at is held (a visibility timeout of 30 s) until that DLQ's sweep ends, then released together: a receive
 * with a visibility of 0 would hide nothing, but it hands out the same messages again and again (and a FIFO DLQ only
 * its groups' first ones), so a sweep would not get through a deep DLQ. The only other reader of a DLQ is a redrive,
 * which waits out the hold; an operator never receives from one (they read the index).
 */
export async function sweepDeadLetters(
  queues: QueuePort,
  index: Pick<DeadLetterIndex, 'groups' | 'has' | 'put'>,
  options: { visibilitySeconds: number } = { visibilitySeconds: 30 },
): Promise<SweepResult[]> {
  const results: SweepResult[] = [];
  for (const dlq of await queues.deadLetterQueues()) {
    const indexed = (await index.groups(dlq.name)).reduce((sum, group) => sum + group.count, 0);
    const held = dlq.depth + dlq.inFlight;
    const result: SweepResult = { dlq: dlq.name, depth: held, indexed, added: 0 };
    results.push(result);
    if (held <= indexed) continue;
    const walk = new DlqWalk(dlq);
    const looked: string[] = [];
    try {
      // Bounded: as many rounds as the DLQ's depth needs, and a few more for what arrives meanwhile.
      for (let round = 0; round < Math.ceil(held / 10) + 10 && !walk.seenThrough; round++) {
        const batch = await queues.receive(dlq.name, 10, options.visibilitySeconds);
        if (batch.length === 0) break;
        looked.push(...batch.map((m) => m.receiptHandle));
        const known = await index.has(
          dlq.name,
          batch.map((m) => m.messageId),
        );
        const fresh = batch.filter((m) => !known.has(m.messageId) && !walk.hasSeen(m.messageId));
        walk.looked(
          batch.map((m) => m.messageId),
          fresh.length > 0,
        );
        if (fresh.length > 0) {
          await index.put(fresh.map((m) => deadLetterFromMessage(dlq, m)));
          result.added += fresh.length;
        }
      }
    } finally {
      for (let i = 0; i < looked.length; i += 10) await queues.releaseBatch(dlq.name, looked.slice(i, i + 10));
    }
    result.indexed = indexed + result.added;
  }
  return results;
}
