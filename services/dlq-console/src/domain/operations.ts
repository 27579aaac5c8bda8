/**
 * The operations that change or reveal dead letters one by one: fix and resend, unmask, export and purge. Each is
 * checked against the actor's roles and audited (field names and counts, never a personal value).
 */
import { ATTRIBUTE, ownAttributes } from '@backbone/shared';
import { anyContractReader } from './contract-registry';
import type { DeadLetter } from './dead-letters';
import { DlqWalk } from './dlq-walk';
import type { DeadLetterQueue, QueuePort, ReceivedMessage } from './ports';

/**
 * Receives from a DLQ until every one of `ids` has been handed to `take` or is clearly gone (the DLQ seen through,
 * or empty), releasing every other message at once. Returns the ids not found.
 */
export async function takeFromDlq(
  queues: QueuePort,
  dlq: DeadLetterQueue,
  ids: ReadonlySet<string>,
  take: (message: ReceivedMessage) => Promise<void>,
  visibilitySeconds = 60,
): Promise<string[]> {
  const pending = new Set(ids);
  const walk = new DlqWalk(dlq);
  // Bounded: a DLQ receiving new messages as fast as they are looked at is never "seen through".
  for (let round = 0; pending.size > 0 && round < 1_000; round++) {
    const batch = await queues.receive(dlq.name, 10, visibilitySeconds);
    let found = 0;
    for (const message of batch) {
      if (!pending.has(message.messageId)) {
        await queues.release(dlq.name, message.receiptHandle);
        continue;
      }
      found++;
      await take(message);
      pending.delete(message.messageId);
    }
    walk.looked(
      batch.map((m) => m.messageId),
      found > 0,
    );
    if (walk.isOver(batch.length === 0)) break;
  }
  return [...pending];
}

/** One change to a message's data: a dotted path under `data` (customer.phone, currency) and its new value. */
export interface DataEdit {
  path: string;
  value: unknown;
}

export class InvalidEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEditError';
  }
}

/**
 * The message's body with the edits applied to its data, checked against its contract. Throws InvalidEditError
 * saying which field is wrong (the contract's own message) and that nothing was sent.
 */
export function editedBody(letter: DeadLetter, edits: readonly DataEdit[]): string {
  if (letter.body === undefined)
    throw new InvalidEditError(`dead letter ${letter.messageId} has no indexed body to edit (it was too large)`);
  let envelope: { data?: unknown };
  try {
    envelope = JSON.parse(letter.body) as { data?: unknown };
  } catch {
    throw new InvalidEditError(`dead letter ${letter.messageId} is not JSON; it cannot be edited, only purged`);
  }
  if (edits.length === 0) throw new InvalidEditError('no change given: name at least one field and its new value');
  const data = structuredClone(envelope.data) as Record<string, unknown>;
  for (const { path, value } of edits) {
    const keys = path.replace(/^data\./, '').split('.');
    if (keys.some((key) => key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype'))
      throw new InvalidEditError(`"${path}" is not a field path: write it as customer.phone or data.currency`);
    let target: Record<string, unknown> = data;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      if (!next || typeof next !== 'object')
        throw new InvalidEditError(`"${path}": ${key} is not an object in this message`);
      target = next as Record<string, unknown>;
    }
    if (value === undefined) delete target[keys.at(-1)!];
    else target[keys.at(-1)!] = value;
  }
  const body = JSON.stringify({ ...envelope, data });
  try {
    anyContractReader.read(body);
  } catch (error) {
    throw new InvalidEditError(
      `the edited message is still invalid, so nothing was sent: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return body;
}

/** The paths the edits change, as data.<path> (what the audit trail records: names, not values). */
export const editedFields = (edits: readonly DataEdit[]): string[] =>
  edits.map(({ path }) => (path.startsWith('data.') ? path : `data.${path}`));

/** The attributes a fixed message goes back with: its own, marked as redriven and fixed. */
export function fixedAttributes(received: ReceivedMessage, redriveId: string): Record<string, string> {
  return { ...ownAttributes(received.attributes), [ATTRIBUTE.redriveId]: redriveId };
}

/**
 * A CSV cell. A value a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a carriage return:
 * a dead letter's data is whatever its producer sent) is written as text, behind an apostrophe (OWASP's advice on
 * CSV injection); quotes, commas and line breaks are quoted.
 */
const csvCell = (value: unknown): string => {
  const raw = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const text = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const EXPORT_COLUMNS = [
  'messageId',
  'messageType',
  'destinations',
  'kind',
  'failedAt',
  'receiveCount',
  'sourceQueue',
  'reason',
  'body',
] as const;

/** Rows as CSV (RFC 4180: quoted when needed, CRLF line ends), with a header. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const lines = [EXPORT_COLUMNS.join(','), ...rows.map((row) => EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
