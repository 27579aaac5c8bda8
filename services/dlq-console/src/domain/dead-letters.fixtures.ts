import { ATTRIBUTE } from '@backbone/shared';
import { loanApprovedV1 } from '@backbone/marketing-events/contracts';
import { SAMPLE_ANDROID_DEVICE } from '@backbone/marketing-events/contracts/testing';
import {
  failedDestinations,
  groupIdOf,
  groupKeyOf,
  normaliseReason,
  positionOf,
  type DeadLetter,
} from './dead-letters';
import type {
  AuditEntry,
  DeadLetterIndex,
  GroupCount,
  DeadLetterQueue,
  OutgoingMessage,
  QueuePort,
  ReceivedMessage,
  RedriveLocks,
  RedriveRecord,
  RedriveRecords,
} from './ports';

/** A dead letter of the marketing DLQ for tests: number n, with whatever overrides a test needs. */
export const letter = (n: number, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  dlq: 'marketing-events-local-events-dlq',
  messageId: `m-${n}`,
  sourceQueue: 'marketing-events-local-events',
  kind: 'permanent',
  ...failedAt(['meta', '400/100', `invalid phone +4477009${String(n).padStart(5, '0')} for ref ab12cd34ef56`]),
  failedAt: new Date(Date.UTC(2026, 10, 30, 12, 0, n)).toISOString(),
  receiveCount: 1,
  originalMessageId: `o-${n}`,
  messageType: 'LoanApproved',
  messageVersion: 1,
  body: `{"id":"e-${n}"}`,
  attributes: {},
  indexedBy: 'consumer',
  ...overrides,
});

/**
 * A dead letter's failure at platforms, as the dispatcher records it: each platform's answer as data, and the reason
 * that joins them (`meta answered 400: x; ga4 answered 500: y`). For `letter(n, failedAt(...))`.
 */
export function failedAt(
  ...answers: [destination: string, code: string, text: string][]
): Pick<DeadLetter, 'reason' | 'destinations'> {
  const destinations = answers.map(([destination, code, text]) => {
    const [status, platformCode] = code.split('/');
    const answered = platformCode === undefined ? status : `${status} (code ${platformCode})`;
    return { destination, code, message: `${destination} answered ${answered}: ${text}` };
  });
  return { reason: destinations.map((d) => d.message).join('; '), destinations };
}

/** A LoanApproved event's body, as the dispatcher would read it, with a phone and a time of its own when given. */
export const loanApprovedBody = (options: { phone?: string; occurredAt?: string; id?: string } = {}): string =>
  JSON.stringify(
    loanApprovedV1.create(
      {
        customer: { customerId: 'c-1', email: 'jane@example.com', ...(options.phone ? { phone: options.phone } : {}) },
        device: SAMPLE_ANDROID_DEVICE,
        applicationId: 'a-1',
        loanId: 'l-1',
        product: 'personal-loan',
        amount: 500,
        currency: 'GBP',
      },
      { id: options.id ?? 'LoanApproved:l-1', ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}) },
    ),
  );

export const DLQ = 'marketing-events-local-events-dlq';
export const SOURCE = 'marketing-events-local-events';

/** SQS, the index, the locks and the audit trail in memory, on a clock that moves only when something sleeps. */
export function world(letters: DeadLetter[], options: { fifo?: boolean } = {}) {
  let now = Date.UTC(2026, 10, 30, 13);
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  const inDlq = new Map<
    string,
    { body: string; attributes: Record<string, string>; groupId?: string; hiddenUntil: number }
  >(
    letters.map((l) => [
      l.messageId,
      {
        body: l.body ?? '',
        attributes: { ...l.attributes, [ATTRIBUTE.failureReason]: l.reason },
        ...(l.groupId ? { groupId: l.groupId } : {}),
        hiddenUntil: 0,
      },
    ]),
  );
  const sent: (OutgoingMessage & { queue: string; id: string })[] = [];
  let receipts = 0;
  const receiptOf = new Map<string, string>();
  /** What a consumer does with a redriven message: undefined to accept it, a reason to dead-letter it again. */
  let consumer: (message: OutgoingMessage) => string | undefined = () => undefined;
  const indexed = new Map(letters.map((l) => [l.messageId, l]));
  const dlq = (): DeadLetterQueue => ({
    name: DLQ,
    fifo: options.fifo === true,
    sources: [SOURCE],
    depth: inDlq.size,
    inFlight: 0,
    retentionSeconds: 1_209_600,
    retryWindowSeconds: 30,
  });
  const queues: QueuePort = {
    deadLetterQueues: async () => [dlq()],
    async receive(_queue, max, visibilitySeconds) {
      const out: ReceivedMessage[] = [];
      const groupsInFlight = new Set<string>();
      for (const [messageId, m] of inDlq) {
        if (m.hiddenUntil > now) {
          if (m.groupId) groupsInFlight.add(m.groupId);
          continue;
        }
        // FIFO: a group whose earlier message is held gives nothing more.
        if (options.fifo && m.groupId && groupsInFlight.has(m.groupId)) continue;
        if (out.length >= max) break;
        m.hiddenUntil = now + visibilitySeconds * 1000;
        if (options.fifo && m.groupId) groupsInFlight.add(m.groupId);
        const receipt = `r-${++receipts}`;
        receiptOf.set(receipt, messageId);
        out.push({
          messageId,
          receiptHandle: receipt,
          body: m.body,
          attributes: m.attributes,
          receiveCount: 1,
          ...(m.groupId ? { groupId: m.groupId } : {}),
        });
      }
      return out;
    },
    async release(_queue, receipt) {
      const m = inDlq.get(receiptOf.get(receipt)!);
      if (m) m.hiddenUntil = 0;
    },
    async delete(_queue, receipt) {
      inDlq.delete(receiptOf.get(receipt)!);
    },
    // As SQS: a batch call with no entry is refused (EmptyBatchRequest).
    async sendBatch(queue, messages) {
      if (messages.length === 0) throw new Error('EmptyBatchRequest: SendMessageBatch with no entry');
      const out: { id: string }[] = [];
      for (const message of messages) out.push({ id: await queues.send(queue, message) });
      return out;
    },
    async deleteBatch(queue, receipts) {
      if (receipts.length === 0) throw new Error('EmptyBatchRequest: DeleteMessageBatch with no entry');
      for (const receipt of receipts) await queues.delete(queue, receipt);
    },
    async releaseBatch(queue, receipts) {
      if (receipts.length === 0) throw new Error('EmptyBatchRequest: ChangeMessageVisibilityBatch with no entry');
      for (const receipt of receipts) await queues.release(queue, receipt);
    },
    async send(queue, message) {
      const id = `new-${sent.length + 1}`;
      sent.push({ ...message, queue, id });
      const failure = consumer(message);
      if (failure) {
        // The consumer dead-letters it again; its notice indexes it under a new DLQ id, naming the id it had.
        const again = letter(1000 + sent.length, {
          messageId: `again-${id}`,
          originalMessageId: id,
          reason: failure,
          failedAt: new Date(now).toISOString(),
        });
        indexed.set(again.messageId, again);
        inDlq.set(again.messageId, { body: message.body, attributes: {}, hiddenUntil: 0 });
      }
      return id;
    },
  };
  const index = memoryIndex(indexed);
  const holders = new Map<string, { holder: string; until: number }>();
  const locks: RedriveLocks = {
    async acquire(name, holder, leaseMs) {
      const held = holders.get(name);
      if (held && held.holder !== holder && held.until > now) return false;
      holders.set(name, { holder, until: now + leaseMs });
      return true;
    },
    release: async (name, holder) => void (holders.get(name)?.holder === holder && holders.delete(name)),
  };
  const entries: AuditEntry[] = [];
  const audit = { append: async (e: AuditEntry) => void entries.push(e), list: async () => entries };
  return {
    dlq,
    inDlq,
    sent,
    indexed,
    entries,
    holders,
    deps: { queues, index, locks, audit, clock },
    consumeWith: (fn: typeof consumer) => (consumer = fn),
  };
}

/**
 * The index in memory, as the DynamoDB one answers (src/adapters/dynamodb-dead-letter-index.ts): pages newest first
 * by position, groups counted from what it holds, bodies apart. Letters of every DLQ in one map, by message id.
 */
export function memoryIndex(indexed: Map<string, DeadLetter>): DeadLetterIndex {
  const of = (dlq: string) => [...indexed.values()].filter((l) => l.dlq === dlq);
  const groupOf = (l: DeadLetter) => groupIdOf(groupKeyOf(l));
  const byNewest = (a: DeadLetter, b: DeadLetter) => positionOf(b).localeCompare(positionOf(a));
  const summary = (letter: DeadLetter): DeadLetter => {
    const rest = { ...letter };
    delete rest.body;
    return rest;
  };
  return {
    get: async (dlq, id) => of(dlq).find((l) => l.messageId === id),
    has: async (dlq, ids) => new Set(of(dlq).flatMap((l) => (ids.includes(l.messageId) ? [l.messageId] : []))),
    async page(dlq, query, limit, options = {}) {
      const selected = of(dlq)
        .filter((l) => query.groups === undefined || query.groups.includes(groupOf(l)))
        .filter((l) => query.since === undefined || l.failedAt >= query.since)
        .filter((l) => query.until === undefined || l.failedAt <= query.until)
        .filter((l) => query.after === undefined || positionOf(l) < query.after)
        .sort(byNewest);
      const letters = selected.slice(0, limit).map((l) => (options.bodies ? l : summary(l)));
      const last = letters.at(-1);
      return { letters, ...(selected.length > limit && last ? { next: positionOf(last) } : {}) };
    },
    async groups(dlq) {
      const groups = new Map<string, GroupCount>();
      for (const l of of(dlq)) {
        const id = groupOf(l);
        const group = groups.get(id) ?? {
          id,
          key: groupKeyOf(l),
          reason: normaliseReason(l.reason),
          destination: failedDestinations(l).join('+') || '-',
          messageType: l.messageType ?? '-',
          count: 0,
          kinds: {},
        };
        group.count++;
        group.kinds[l.kind] = (group.kinds[l.kind] ?? 0) + 1;
        groups.set(id, group);
      }
      return [...groups.values()];
    },
    async span(dlq, group) {
      const times = of(dlq)
        .filter((l) => group === undefined || groupOf(l) === group)
        .map((l) => l.failedAt)
        .sort();
      return { ...(times.length > 0 ? { first: times[0], last: times.at(-1) } : {}) };
    },
    async activity(dlq, since) {
      const counts = new Map<string, number>();
      for (const l of of(dlq)) {
        const ten = `${l.failedAt.slice(0, 15)}0`;
        if (ten >= `${since.slice(0, 15)}0`) counts.set(ten, (counts.get(ten) ?? 0) + 1);
      }
      return [...counts];
    },
    bodies: async (dlq, ids) =>
      new Map(
        of(dlq).flatMap((l) => (ids.includes(l.messageId) && l.body !== undefined ? [[l.messageId, l.body]] : [])),
      ),
    put: async (ls) => ls.forEach((l) => indexed.set(l.messageId, l)),
    remove: async (_dlq, ids) => ids.forEach((id) => indexed.delete(id)),
  };
}

/** Redrive records in memory, as the DynamoDB ones (a cancel kept apart from the record); `written`: every put. */
export function memoryRecords(
  records = new Map<string, RedriveRecord>(),
  written: RedriveRecord[] = [],
): RedriveRecords {
  const cancels = new Map<string, string>();
  return {
    put: async (record) => void (records.set(record.redriveId, record), written.push(record)),
    get: async (id) => records.get(id),
    list: async (limit) =>
      [...records.values()]
        .sort((a, b) => (b.askedAt ?? b.updatedAt).localeCompare(a.askedAt ?? a.updatedAt))
        .slice(0, limit),
    cancel: async (id, by) => void cancels.set(id, by),
    cancelledBy: async (id) => cancels.get(id),
  };
}
