import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  MARKETING_EVENT_CONTRACTS,
  marketingBusinessKey,
  marketingEventId,
  type MarketingEvent,
  type MarketingEventInput,
} from '../contracts/marketing-events';
import { describeError, InvalidMessageError } from '../errors';
import { publishEnvelopes, type PublishOptions } from '../sqs/producer';

export type MarketingPublishResult =
  | { eventId: string; status: 'sent'; messageId: string; attempts: number }
  | { eventId: string; status: 'failed'; reason: string; retryable: boolean; attempts: number }
  /** Refused before sending: the data does not match its contract. Nothing was sent for it. */
  | { eventId: string | undefined; status: 'invalid'; reason: string };

export interface MarketingEventsTarget {
  sqs: SQSClient;
  /** marketing-events' queue (its URL, or how to find it). */
  queueUrl: string | (() => Promise<string>);
}

const contracts = new Map(MARKETING_EVENT_CONTRACTS.map((c) => [c.type as string, c]));

/**
 * The envelope of a marketing event, checked against its contract (InvalidMessageError names the field),
 * with the id `<type>:<business id>`.
 */
export function createMarketingEvent(
  event: MarketingEventInput,
  meta: { correlationId?: string } = {},
): MarketingEvent {
  const contract = contracts.get(event.type);
  if (!contract) {
    throw new InvalidMessageError(
      `unknown marketing event type "${event.type}"; known: ${[...contracts.keys()].join(', ')}`,
    );
  }
  return contract.create(event.data as never, {
    id: marketingEventId(event.type, marketingBusinessKey(event)),
    occurredAt: event.occurredAt,
    correlationId: meta.correlationId,
  });
}

/**
 * What backend services call to report post-install events. Each event is checked against its contract,
 * batched (10 per SQS call), and retried on transient failures; the result says, per event and in the
 * order given, whether it was sent. An invalid event is reported and does not stop the others.
 *
 * The envelope id is `<type>:<business id>` (the customer, application or loan): publishing the same fact
 * twice gives the same id, and every destination deduplicates on it.
 */
export async function publishMarketingEvents(
  target: MarketingEventsTarget,
  events: readonly MarketingEventInput[],
  options: PublishOptions & { correlationId?: string } = {},
): Promise<MarketingPublishResult[]> {
  const results = new Array<MarketingPublishResult>(events.length);
  const valid: { index: number; envelope: MarketingEvent }[] = [];
  events.forEach((event, index) => {
    let eventId: string | undefined;
    try {
      // Data malformed enough to have no business id is refused below with its contract's reason.
      eventId = marketingEventId(event.type, marketingBusinessKey(event));
      valid.push({ index, envelope: createMarketingEvent(event, options) });
    } catch (error) {
      results[index] = { eventId, status: 'invalid', reason: describeError(error) };
    }
  });
  if (valid.length > 0) {
    const queueUrl = typeof target.queueUrl === 'string' ? target.queueUrl : await target.queueUrl();
    const sent = await publishEnvelopes(
      target.sqs,
      queueUrl,
      valid.map((v) => v.envelope),
      options,
    );
    sent.forEach((result, i) => {
      const { id, ...rest } = result;
      results[valid[i]!.index] = { eventId: id, ...rest };
    });
  }
  return results;
}
