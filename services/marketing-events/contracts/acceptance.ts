/**
 * What each marketing platform refuses before a request is made, whatever the payload: events too old for it, events
 * dated in the future, events missing what it cannot do without. The dispatcher checks these before it sends; the
 * dead-letter console checks them in a redrive's dry run (an event dead-lettered a week ago may be too old for Meta
 * by now), so there is one copy of each rule.
 */
import type { MarketingEvent } from './events';
import type { DestinationName } from './delivery-ledger';

/** Meta refuses events older than this: the whole request fails, so such an event never goes. */
export const META_MAX_EVENT_AGE_DAYS = 7;
/** The Measurement Protocol takes events up to 72 hours old. */
export const GA4_MAX_EVENT_AGE_HOURS = 72;
/** A producer's clock may run a little ahead; Meta refuses what is dated further in the future. */
const FUTURE_TOLERANCE_MS = 10 * 60_000;

/** Why a platform would refuse this event now, or undefined. */
export type AcceptanceRule = (event: MarketingEvent, now: Date) => string | undefined;

export const metaRefusal: AcceptanceRule = (event, now) => {
  const occurred = Date.parse(event.occurredAt);
  const ageDays = (now.getTime() - occurred) / 86_400_000;
  if (ageDays > META_MAX_EVENT_AGE_DAYS)
    return `meta: the event is ${ageDays.toFixed(1)} days old; Meta accepts events at most ${META_MAX_EVENT_AGE_DAYS} days old`;
  if (occurred - now.getTime() > FUTURE_TOLERANCE_MS)
    return `meta: the event is dated in the future (${event.occurredAt}); fix the producer's clock`;
  return undefined;
};

export const ga4Refusal: AcceptanceRule = (event, now) => {
  if (!event.data.device.appInstanceId)
    return 'ga4: app streams need device.appInstanceId (the Firebase app instance id); the event has none';
  const ageHours = (now.getTime() - Date.parse(event.occurredAt)) / 3_600_000;
  if (ageHours > GA4_MAX_EVENT_AGE_HOURS)
    return `ga4: the event is ${ageHours.toFixed(0)} hours old; GA4 accepts at most ${GA4_MAX_EVENT_AGE_HOURS}`;
  return undefined;
};

/** Each platform's rules (a platform with none takes every valid event). */
export const ACCEPTANCE_RULES: Readonly<Record<DestinationName, AcceptanceRule>> = {
  meta: metaRefusal,
  ga4: ga4Refusal,
};
