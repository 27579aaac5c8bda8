/**
 * A dead letter as the console knows it (its index entry), and what the console does with many of them without
 * touching a DLQ: normalise their reasons, group them, and select them by a filter.
 */
import { createHash } from 'node:crypto';
import { maskMessageBody } from './contract-registry';
import { FAILURE_KINDS, maskText, type DestinationFailure, type FailureKind } from '@backbone/shared';

/** A destination a dead letter failed at: its message when the consumer's notice recorded it. */
export type FailedDestination = Omit<DestinationFailure, 'message'> & { message?: string };

export interface DeadLetter {
  /** The DLQ's name and the message's id there. */
  dlq: string;
  messageId: string;
  /** The queue it failed on (name). */
  sourceQueue: string;
  kind: FailureKind;
  reason: string;
  /**
   * The destinations that failed, each with its code and message, as the consumer recorded them. Found by the
   * sweeper (the notice lost), only their names: the reason holds their messages.
   */
  destinations: FailedDestination[];
  /** When it was dead-lettered (ISO-8601). */
  failedAt: string;
  /** How many times the source queue delivered it before it was given up. */
  receiveCount: number;
  /** Its id in the source queue (what a consumer that fails it again names in failure.originalMessageId). */
  originalMessageId: string;
  messageType?: string;
  messageVersion?: number;
  /** FIFO: its message group. */
  groupId?: string;
  /** The body as sent (personal data in it is masked whenever it is shown). Absent when too large to index. */
  body?: string;
  /** The message's own attributes (not the failure's). */
  attributes: Record<string, string>;
  /** Who indexed it: the consumer's notice, or the sweeper (a message moved by the queue's redrive policy). */
  indexedBy: 'consumer' | 'sweeper';
}

/**
 * Where a letter stands in its DLQ's order (newest first: by failure time, then message id). A page of letters ends
 * at one; the next starts after it.
 */
export const positionOf = (letter: Pick<DeadLetter, 'failedAt' | 'messageId'>): string =>
  `${letter.failedAt}#${letter.messageId}`;

/** How much of a reason is normalised for grouping: far more than a consumer writes (1,000 characters). */
export const MAX_REASON_NORMALISED = 2_000;

/**
 * A reason with what differs from message to message taken out, so that one cause groups as one: "meta answered 400
 * (code 100): invalid phone +447700900123 for ref 1a2b3c4d5e6f" and the same for another customer are the same group.
 * Kept: words, HTTP statuses and error codes (short numbers). Replaced: quoted text, message refs, and everything
 * maskText replaces (emails, phone numbers and other long digit runs, dates and times, UUIDs, hex ids and ids such as
 * c-1042), then amounts. A group's reason is therefore masked as well as normalised.
 */
export function normaliseReason(reason: string): string {
  // A reason is at most 1,000 characters as consumers write it; one found on a message written otherwise may be any
  // length, and the patterns below are applied to a bounded text only.
  return maskText(
    reason
      .slice(0, MAX_REASON_NORMALISED)
      .replace(/"[^"]*"|'[^']*'|“[^”]*”/g, '"…"')
      .replace(/\bref [0-9a-f]{6,}\b/gi, 'ref …'),
  )
    .replace(/\b\d+\.\d+\b/g, '<n>')
    .replace(/…$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The destinations a dead letter failed at, in order, once each (entries indexed before they were recorded: none). */
export const failedDestinations = (letter: Pick<DeadLetter, 'destinations'>): string[] => [
  ...new Set((letter.destinations ?? []).map((failure) => failure.destination)),
];

export interface DeadLetterGroup {
  /** Stable within a DLQ: the same cause, destination and type always give the same key. */
  key: string;
  /** A short name for the key (its first 8 hex characters of SHA-256), to type in a command. */
  id: string;
  dlq: string;
  reason: string;
  destination: string;
  messageType: string;
  kinds: FailureKind[];
  count: number;
  firstSeen: string;
  lastSeen: string;
  /** A few message ids, to look at. */
  sample: string[];
  /** When SQS deletes its oldest letter (its DLQ's retention after it failed), and whether that is within a day. */
  oldestDeletedAt?: string;
  deletedSoon?: boolean;
}

const NONE = '-';

export const groupIdOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

export const groupKeyOf = (letter: DeadLetter): string =>
  [
    letter.dlq,
    normaliseReason(letter.reason),
    failedDestinations(letter).join('+') || NONE,
    letter.messageType ?? NONE,
  ].join(' | ');

/** Groups by normalised reason, destination and message type; largest first. */
export function groupDeadLetters(letters: Iterable<DeadLetter>, sampleSize = 3): DeadLetterGroup[] {
  const groups = new Map<string, DeadLetterGroup>();
  for (const letter of letters) {
    const key = groupKeyOf(letter);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        id: groupIdOf(key),
        dlq: letter.dlq,
        reason: normaliseReason(letter.reason),
        destination: failedDestinations(letter).join('+') || NONE,
        messageType: letter.messageType ?? NONE,
        kinds: [],
        count: 0,
        firstSeen: letter.failedAt,
        lastSeen: letter.failedAt,
        sample: [],
      };
      groups.set(key, group);
    }
    group.count++;
    if (!group.kinds.includes(letter.kind)) group.kinds.push(letter.kind);
    if (letter.failedAt < group.firstSeen) group.firstSeen = letter.failedAt;
    if (letter.failedAt > group.lastSeen) group.lastSeen = letter.failedAt;
    if (group.sample.length < sampleSize) group.sample.push(letter.messageId);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Which dead letters an operation is about. Every field narrows; an empty filter is every dead letter. */
export interface DeadLetterFilter {
  /** A group's key or id (from groupDeadLetters). */
  group?: string;
  /** Text the reason contains (case-insensitive). */
  reason?: string;
  messageType?: string;
  destination?: string;
  kind?: FailureKind;
  /** Dead-lettered at least this long ago / at most this long ago (milliseconds). */
  olderThanMs?: number;
  newerThanMs?: number;
  /** These message ids only. */
  ids?: readonly string[];
  /**
   * Text the body contains: its masked text, as the caller sees it; its raw text (an event's id, a phone number) only
   * for someone allowed to unmask who gives a reason, audited (else search would tell a masked value a digit at a time).
   */
  search?: string;
}

/**
 * Whether a dead letter is one the filter selects. Its reason and search texts are matched against what a caller sees
 * (the masked reason and body) unless `raw` (someone allowed to unmask, who said why).
 */
export function matchesFilter(
  letter: DeadLetter,
  filter: DeadLetterFilter,
  now: number = Date.now(),
  { raw = false }: { raw?: boolean } = {},
): boolean {
  if (filter.ids && !filter.ids.includes(letter.messageId)) return false;
  if (filter.group) {
    const key = groupKeyOf(letter);
    if (key !== filter.group && groupIdOf(key) !== filter.group) return false;
  }
  if (filter.reason) {
    const reason = raw ? letter.reason : maskText(letter.reason);
    if (!reason.toLowerCase().includes(filter.reason.toLowerCase())) return false;
  }
  if (filter.messageType && letter.messageType !== filter.messageType) return false;
  if (filter.destination && !failedDestinations(letter).includes(filter.destination.toLowerCase())) return false;
  if (filter.kind && letter.kind !== filter.kind) return false;
  const age = now - Date.parse(letter.failedAt);
  if (filter.olderThanMs !== undefined && age < filter.olderThanMs) return false;
  if (filter.newerThanMs !== undefined && age > filter.newerThanMs) return false;
  if (filter.search) {
    const body = raw || letter.body === undefined ? (letter.body ?? '') : maskMessageBody(letter.body).text;
    if (!body.includes(filter.search)) return false;
  }
  return true;
}

/** What a filter selects, said in words (the confirmation and the audit trail use it). */
export function describeFilter(filter: DeadLetterFilter): string {
  const parts: string[] = [];
  if (filter.group) parts.push(`group "${filter.group}"`);
  if (filter.reason) parts.push(`reason containing "${filter.reason}"`);
  if (filter.messageType) parts.push(`type ${filter.messageType}`);
  if (filter.destination) parts.push(`destination ${filter.destination}`);
  if (filter.kind) parts.push(`kind ${filter.kind}`);
  if (filter.olderThanMs !== undefined) parts.push(`older than ${Math.round(filter.olderThanMs / 60_000)} min`);
  if (filter.newerThanMs !== undefined) parts.push(`newer than ${Math.round(filter.newerThanMs / 60_000)} min`);
  if (filter.ids) parts.push(`${filter.ids.length} chosen message${filter.ids.length === 1 ? '' : 's'}`);
  if (filter.search) parts.push('a body search');
  return parts.length > 0 ? parts.join(', ') : 'every message';
}

/** "30m", "2h", "1d", "45s" as milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: write it as 45s, 30m, 2h or 1d`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

/** A filter from options as the command line and the web API name them (group, reason, type, older-than, ...). */
export function filterFromOptions(values: Record<string, string | string[] | boolean | undefined>): DeadLetterFilter {
  const text = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const kind = text('kind');
  if (kind && !FAILURE_KINDS.includes(kind as FailureKind))
    throw new Error(`--kind ${kind} is not a failure kind: use one of ${FAILURE_KINDS.join(', ')}`);
  return {
    ...(text('group') ? { group: text('group') } : {}),
    ...(text('reason') ? { reason: text('reason') } : {}),
    ...(text('type') ? { messageType: text('type') } : {}),
    ...(text('destination') ? { destination: text('destination') } : {}),
    ...(kind ? { kind: kind as FailureKind } : {}),
    ...(text('older-than') ? { olderThanMs: parseDuration(text('older-than')!) } : {}),
    ...(text('newer-than') ? { newerThanMs: parseDuration(text('newer-than')!) } : {}),
    ...(text('ids')
      ? {
          ids: text('ids')!
            .split(',')
            .map((id) => id.trim()),
        }
      : {}),
    ...(text('search') ? { search: text('search') } : {}),
  };
}
