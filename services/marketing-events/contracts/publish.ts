import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  MARKETING_EVENT_CONTRACTS,
  marketingBusinessKey,
  marketingEventId,
  type MarketingEvent,
  type MarketingEventInput,
} from './events';
import {
  ConfigurationError,
  describeError,
  InvalidMessageError,
  publishEnvelopes,
  type PublishOptions,
} from '@backbone/shared';
import { canonicalCountry, canonicalCustomer, type LeftOut } from './identifiers';

export type MarketingPublishResult =
  | {
      eventId: string;
      status: 'sent';
      messageId: string;
      attempts: number;
      /** Optional identifiers left out of the event because they could not be made canonical, and why. */
      warnings?: LeftOut[];
    }
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
 * The envelope of a marketing event, checked against its contract (InvalidMessageError names the field), with the id
 * `<type>:<business id>` and the customer's optional identifiers canonical (see identifiers.ts): one that cannot be
 * is left out, and listed in `leftOut` with the reason.
 */
export function prepareMarketingEvent(
  event: MarketingEventInput,
  meta: { correlationId?: string; now?: Date; defaultCountry?: string } = {},
): { envelope: MarketingEvent; leftOut: LeftOut[] } {
  const contract = contracts.get(event.type);
  if (!contract) {
    throw new InvalidMessageError(
      `unknown marketing event type "${event.type}"; known: ${[...contracts.keys()].join(', ')}`,
    );
  }
  const customer = (event.data as { customer?: unknown } | undefined)?.customer;
  // A customer that is not even an object is the contract's to refuse, with its reason.
  const canonical =
    typeof customer === 'object' && customer !== null
      ? canonicalCustomer(customer as MarketingEventInput['data']['customer'], {
          now: meta.now,
          defaultCountry: meta.defaultCountry,
        })
      : { customer, leftOut: [] };
  const envelope = contract.create({ ...event.data, customer: canonical.customer } as never, {
    id: marketingEventId(event.type, marketingBusinessKey(event)),
    occurredAt: event.occurredAt,
    correlationId: meta.correlationId,
  });
  return { envelope, leftOut: canonical.leftOut };
}

/** prepareMarketingEvent's envelope alone. */
export const createMarketingEvent = (
  event: MarketingEventInput,
  meta: { correlationId?: string; now?: Date } = {},
): MarketingEvent => prepareMarketingEvent(event, meta).envelope;

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
  options: PublishOptions & {
    correlationId?: string;
    /** Counts the identifiers left out, per field (`IdentifierLeftOut.<field>`), when given. */
    metrics?: Metrics;
    /**
     * The market of a backend that serves one: the country its customers' national phone numbers are read with when
     * an event's customer has no `country` (alpha-2, alpha-3 or English name, as a customer's country).
     */
    defaultCountry?: string;
  } = {},
): Promise<MarketingPublishResult[]> {
  const defaultCountry = options.defaultCountry === undefined ? undefined : canonicalCountry(options.defaultCountry);
  // A wrong market is the backend's configuration, not its events': nothing is sent until it is fixed.
  if (defaultCountry && 'reason' in defaultCountry)
    throw new ConfigurationError(`publishMarketingEvents' defaultCountry: ${defaultCountry.reason}`);
  const prepareOptions = { ...options, defaultCountry: defaultCountry?.value };
  const results = new Array<MarketingPublishResult>(events.length);
  const valid: { index: number; envelope: MarketingEvent; leftOut: LeftOut[] }[] = [];
  events.forEach((event, index) => {
    let eventId: string | undefined;
    try {
      // Data malformed enough to have no business id is refused below with its contract's reason.
      eventId = marketingEventId(event.type, marketingBusinessKey(event));
      valid.push({ index, ...prepareMarketingEvent(event, prepareOptions) });
    } catch (error) {
      results[index] = { eventId, status: 'invalid', reason: describeError(error) };
    }
  });
  const leftOut = valid.flatMap((v) => v.leftOut);
  for (const field of new Set(leftOut.map((l) => l.field)))
    options.metrics?.addMetric(
      `IdentifierLeftOut.${field.slice('customer.'.length)}`,
      MetricUnit.Count,
      leftOut.filter((l) => l.field === field).length,
    );
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
      const warnings = valid[i]!.leftOut;
      results[valid[i]!.index] =
        rest.status === 'sent' && warnings.length > 0 ? { eventId: id, ...rest, warnings } : { eventId: id, ...rest };
    });
  }
  return results;
}
