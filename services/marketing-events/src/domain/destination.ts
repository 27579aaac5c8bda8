import type { DestinationName, MarketingEvent } from '../../contracts';
import type { MatchKey } from './match-keys';
import {
  answerCode,
  classifyAnswer,
  delivered,
  describeAnswer,
  permanent,
  refusedUs,
  retryable,
  TransportError,
  type DeliveryOutcome,
  type DeliverySemantics,
  type HttpAnswer,
  type RejectionReading,
} from './outcome';

/** A platform's name, as routing, the ledger and the metrics know it (see platforms.ts). */
export type { DestinationName };

export type Prepared<P> = { ok: true; payload: P } | { ok: false; reason: string };

/** A marketing platform: how an event maps to its payload, and how a batch of payloads is sent. */
export interface Destination<P = unknown> {
  readonly name: DestinationName;
  /** Payloads per request (Meta 1,000; GA4 25 of one user; a webhook 1). */
  readonly maxBatch: number;
  /** Requests in flight at once to this platform. */
  readonly concurrency: number;
  /** Whether an event in doubt is sent again (the platform deduplicates) or reported and not repeated (it cannot). */
  readonly delivery: DeliverySemantics;
  /** Meta rejects a whole batch for one bad event: on a permanent 4xx, halve the batch until it is isolated. */
  readonly bisectOnRejection: boolean;
  /** Payloads that must travel in separate requests (GA4: one user per request). */
  requestKey?(payload: P): string;
  /** The platform's payload for an event, or why this event can never be delivered there. */
  prepare(event: MarketingEvent, now: Date): Prepared<P>;
  send(payloads: readonly P[]): Promise<HttpAnswer>;
  /** The identifiers a payload lets the platform match a person with (for the match-key coverage metrics). */
  matchKeys?(payload: P): readonly MatchKey[];
  /** Reads the platform's own error codes and text in an answer that is not 2xx (Meta's Graph errors). */
  readRejection?(answer: HttpAnswer): RejectionReading | undefined;
}

/**
 * Splits items into requests: grouped by requestKey, then at most maxBatch each. Each item carries a
 * payload (`payloadOf`), so that a caller keeps its own bookkeeping with each payload.
 */
export function planRequests<P, T>(destination: Destination<P>, items: readonly T[], payloadOf: (item: T) => P): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    // Stryker disable next-line StringLiteral: equivalent, any one key puts keyless payloads together.
    const key = destination.requestKey?.(payloadOf(item)) ?? '';
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const requests: T[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += destination.maxBatch)
      requests.push(group.slice(i, i + destination.maxBatch));
  }
  return requests;
}

/**
 * Sends one request and says what happened to each payload in it. A permanent rejection of a batch
 * is bisected (when the platform rejects whole batches) so that the good payloads are delivered and
 * only the bad ones fail, each with the platform's own reason.
 */
export async function sendWithBisection<P>(
  destination: Destination<P>,
  payloads: readonly P[],
): Promise<DeliveryOutcome[]> {
  let answer: HttpAnswer;
  try {
    answer = await destination.send(payloads);
  } catch (error) {
    const reason = `${destination.name}: ${error instanceof Error ? error.message : String(error)}`;
    const maybeDelivered = error instanceof TransportError && error.maybeDelivered;
    return payloads.map(() => retryable(reason, 'no-answer', maybeDelivered));
  }
  if (answer.status >= 200 && answer.status < 300) return payloads.map(() => delivered);
  const reading = destination.readRejection?.(answer);
  const verdict = classifyAnswer(answer, reading);
  const reason = describeAnswer(destination.name, answer, reading);
  const code = answerCode(answer, reading);
  if (verdict === 'retryable') return payloads.map(() => retryable(reason, code));
  // Not the events' fault: splitting the batch would only ask again, up to twice per event, and dead-letter them all.
  if (verdict === 'refused-us') {
    const why = `${reason} (the platform refused our credentials, rights or address, not the events: check the ${destination.name} settings; the events are retried)`;
    return payloads.map(() => refusedUs(why, code));
  }
  if (!destination.bisectOnRejection || payloads.length === 1) return payloads.map(() => permanent(reason, code));
  // One half after the other: a bisection is one request at a time, so the destination's concurrency (the requests
  // dispatch runs at once) bounds what reaches the platform, however many bad events a batch holds.
  const half = Math.ceil(payloads.length / 2);
  const left = await sendWithBisection(destination, payloads.slice(0, half));
  const right = await sendWithBisection(destination, payloads.slice(half));
  return [...left, ...right];
}

/** Runs tasks with at most `limit` at once, in order of index, results in order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  // Stryker disable next-line ArrayDeclaration: equivalent, every index is written before it is read.
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
