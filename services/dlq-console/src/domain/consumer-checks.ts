/**
 * What a dry run asks of each dead letter, without sending it: would its consumer take it now? The contract (every
 * consumer reads it first), the platform's own rules for a marketing event (ACCEPTANCE_RULES: an event that waited
 * in the DLQ may be too old for Meta by now), and the platform's latest answers (one that still refuses for the same
 * reason, with nothing accepted since, would refuse it again). And what needs no redrive at all: an event the
 * delivery ledger shows delivered, since, everywhere it had failed.
 */
import {
  ACCEPTANCE_RULES,
  MARKETING_EVENT_CONTRACTS,
  type DestinationStatus,
  type MarketingEvent,
} from '@backbone/marketing-events/contracts';
import { anyContractReader } from './contract-registry';
import { failedDestinations, normaliseReason, type DeadLetter } from './dead-letters';

const MARKETING_TYPES = new Set<string>(MARKETING_EVENT_CONTRACTS.map((c) => c.type));

/** A dead letter read as its consumer reads it: its envelope, or why that fails. */
export type ReadLetter =
  | { letter: DeadLetter; envelope: { id: string; type: string; data: unknown; occurredAt: string } }
  | { letter: DeadLetter; invalid: string }
  | { letter: DeadLetter };

export function readLetter(letter: DeadLetter): ReadLetter {
  // Too large to index: the consumer will see it, the console cannot.
  if (letter.body === undefined) return { letter };
  try {
    return { letter, envelope: anyContractReader.read(letter.body) };
  } catch (error) {
    return { letter, invalid: error instanceof Error ? error.message : String(error) };
  }
}

/** The event id of a marketing event (the ledger's key), or undefined for any other message. */
export function marketingEventIdOf(read: ReadLetter): string | undefined {
  return 'envelope' in read && MARKETING_TYPES.has(read.envelope.type) ? read.envelope.id : undefined;
}

/** What the dry run knows besides the letter: the time, and the platforms' latest answers. */
export interface CheckContext {
  now: Date;
  statuses: ReadonlyMap<string, DestinationStatus>;
}

/** Why the consumer would refuse this dead letter again now, or undefined. */
export function wouldFailBecause(read: ReadLetter, context: CheckContext): string | undefined {
  if ('invalid' in read) return read.invalid;
  const destinations = failedDestinations(read.letter);
  if ('envelope' in read && MARKETING_TYPES.has(read.envelope.type)) {
    const event = read.envelope as MarketingEvent;
    for (const destination of destinations) {
      const refusal = ACCEPTANCE_RULES[destination]?.(event, context.now);
      if (refusal !== undefined) return refusal;
    }
  }
  // Each platform's own failure of this letter against that platform's latest answer.
  for (const { destination, message = read.letter.reason } of read.letter.destinations ?? []) {
    const status = context.statuses.get(destination);
    if (
      status?.failedAt !== undefined &&
      status.failure !== undefined &&
      status.failedAt > (status.acceptedAt ?? 0) &&
      normaliseReason(message).includes(normaliseReason(status.failure))
    )
      return (
        `${destination} still fails this way (its latest answer, at ${new Date(status.failedAt).toISOString()}; ` +
        `${status.acceptedAt === undefined ? 'nothing accepted yet' : `nothing accepted since ${new Date(status.acceptedAt).toISOString()}`}): ` +
        `${normaliseReason(status.failure)}`
      );
  }
  return undefined;
}

/**
 * Whether the ledger shows this event delivered everywhere it failed (a copy published again, or fixed and resent,
 * got through): redriving it would send nothing.
 */
export function deliveredEverywhereItFailed(read: ReadLetter, delivered: ReadonlySet<string> | undefined): boolean {
  if (!delivered) return false;
  const failedAt = failedDestinations(read.letter);
  return failedAt.length > 0 && failedAt.every((destination) => delivered.has(destination));
}
