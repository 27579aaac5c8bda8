import { ga4Refusal, GA4_MAX_EVENT_AGE_HOURS, type MarketingEvent } from '../../contracts';
import { z } from 'zod';
import type { Destination, Prepared } from './destination';
import { destinationEventIdOf, hashedIdentity } from './hashing';
import type { DeliverySemantics, HttpTransport } from './outcome';
import type { MatchKey } from './match-keys';
import { definePlatform } from './platform';

/** GA4 Measurement Protocol limits. /mp/collect answers 2xx to anything, so they are checked here first. */
export const GA4_LIMITS = {
  eventsPerRequest: 25,
  paramsPerEvent: 25,
  nameLength: 40,
  paramValueLength: 100,
  maxAgeHours: GA4_MAX_EVENT_AGE_HOURS,
} as const;

const GA4_MATCH_KEYS: readonly MatchKey[] = ['externalId'];
const RESERVED_PREFIXES = ['google_', 'ga_', 'firebase_', '_'];
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export interface Ga4Settings {
  baseUrl: string;
  /** App streams: the Firebase app id and the stream's API secret. */
  firebaseAppId: string;
  apiSecret: string;
  /**
   * GA4 counts an event sent twice twice. `at-most-once` (the default): a send whose outcome was lost is reported
   * (dead-lettered, OutcomeUnknown), not repeated. `at-least-once`: it is sent again, and may be counted twice.
   */
  delivery: DeliverySemantics;
}

export interface Ga4Request {
  app_instance_id: string;
  user_id: string;
  timestamp_micros: number;
  /** Each event carries its own time: one request may hold several of a user's events. */
  events: { name: string; timestamp_micros: number; params: Record<string, string | number> }[];
}

const GA4_EVENT_NAMES: Record<MarketingEvent['type'], string> = {
  RegistrationCompleted: 'sign_up',
  LoanApplicationSubmitted: 'loan_application_submitted',
  LoanApproved: 'loan_approved',
  LoanDisbursed: 'loan_disbursed',
  FirstRepaymentMade: 'first_repayment',
};

// Event and parameter names come from this code, so the same few are checked again and again: remember
// each verdict (one cache per kind of name, so a look-up builds no key).
const NO_PROBLEMS: readonly string[] = [];
const nameVerdicts = {
  'event name': new Map<string, readonly string[]>(),
  parameter: new Map<string, readonly string[]>(),
};

function nameProblems(what: keyof typeof nameVerdicts, value: string): readonly string[] {
  const verdicts = nameVerdicts[what];
  let problems = verdicts.get(value);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; only speed changes.
  if (problems === undefined) {
    const found: string[] = [];
    if (value.length > GA4_LIMITS.nameLength)
      found.push(`${what} "${value}" is longer than ${GA4_LIMITS.nameLength} characters`);
    if (!NAME.test(value)) found.push(`${what} "${value}" must start with a letter and use only letters, digits and _`);
    if (RESERVED_PREFIXES.some((p) => value.startsWith(p))) found.push(`${what} "${value}" uses a reserved prefix`);
    // Stryker disable next-line all: equivalent, a cache and its bound; only speed and memory change.
    problems = found.length === 0 ? NO_PROBLEMS : found;
    // Stryker disable next-line all: equivalent, a cache and its bound; only speed and memory change.
    if (verdicts.size < 1_000) verdicts.set(value, problems);
  }
  return problems;
}

/** Every GA4 limit a payload breaks, in words (the same empty list, allocated once, when there is none). */
export function ga4Problems(name: string, params: Record<string, string | number>): readonly string[] {
  let problems: string[] | undefined;
  const add = (found: readonly string[]): void => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, an empty list either way.
    if (found.length > 0) (problems ??= []).push(...found);
  };
  add(nameProblems('event name', name));
  let count = 0;
  for (const key in params) {
    count++;
    add(nameProblems('parameter', key));
    const value = params[key];
    if (typeof value === 'string' && value.length > GA4_LIMITS.paramValueLength)
      add([`parameter ${key} is ${value.length} characters; GA4 takes ${GA4_LIMITS.paramValueLength}`]);
  }
  if (count > GA4_LIMITS.paramsPerEvent) add([`${count} parameters; GA4 takes ${GA4_LIMITS.paramsPerEvent}`]);
  return problems ?? NO_PROBLEMS;
}

export function toGa4Request(event: MarketingEvent, now: Date): Prepared<Ga4Request> {
  const refusal = ga4Refusal(event, now);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const { data } = event;
  const occurred = Date.parse(event.occurredAt);
  const name = GA4_EVENT_NAMES[event.type];
  const params: Record<string, string | number> = {
    // GA4 does not deduplicate: the ledger does. The id still travels, for reconciliation.
    event_id: destinationEventIdOf(event),
    engagement_time_msec: 1,
  };
  if ('amount' in data) {
    params.value = data.amount;
    params.currency = data.currency;
  }
  if ('product' in data) params.product = data.product;
  if (event.type === 'RegistrationCompleted' && event.data.method) params.method = event.data.method;
  const problems = ga4Problems(name, params);
  if (problems.length > 0) return { ok: false, reason: `ga4: ${problems.join('; ')}` };
  return {
    ok: true,
    payload: {
      // ga4Refusal refused an event without one.
      app_instance_id: data.device.appInstanceId!,
      user_id: hashedIdentity(data.customer).externalId,
      timestamp_micros: occurred * 1000,
      events: [{ name, timestamp_micros: occurred * 1000, params }],
    },
  };
}

export function ga4Destination(settings: Ga4Settings, http: HttpTransport): Destination<Ga4Request> {
  const url =
    `${settings.baseUrl.replace(/\/$/, '')}/mp/collect?firebase_app_id=${encodeURIComponent(settings.firebaseAppId)}` +
    `&api_secret=${encodeURIComponent(settings.apiSecret)}`;
  return {
    name: 'ga4',
    maxBatch: GA4_LIMITS.eventsPerRequest,
    concurrency: 32,
    delivery: settings.delivery,
    // GA4 ties events to a person by user_id alone.
    matchKeys: () => GA4_MATCH_KEYS,
    bisectOnRejection: false,
    // One request carries one user's events.
    requestKey: (request) => `${request.app_instance_id}|${request.user_id}`,
    prepare: toGa4Request,
    send(requests) {
      const first = requests[0]!;
      // Most requests carry one event: the payload is already the body.
      if (requests.length === 1) return http.post(url, JSON.stringify(first), { 'content-type': 'application/json' });
      const body = JSON.stringify({
        app_instance_id: first.app_instance_id,
        user_id: first.user_id,
        timestamp_micros: Math.min(...requests.map((r) => r.timestamp_micros)),
        events: requests.flatMap((r) => r.events),
      });
      return http.post(url, body, { 'content-type': 'application/json' });
    },
  };
}

/** GA4's Measurement Protocol for app streams (Firebase): every event type. */
export const ga4Platform = definePlatform<Ga4Settings>({
  name: 'ga4',
  routes: ['RegistrationCompleted', 'LoanApplicationSubmitted', 'LoanApproved', 'LoanDisbursed', 'FirstRepaymentMade'],
  settings: {
    baseUrl: { env: 'GA4_BASE_URL', default: 'https://www.google-analytics.com', schema: z.url() },
    firebaseAppId: { env: 'GA4_FIREBASE_APP_ID' },
    apiSecret: { env: 'GA4_API_SECRET', secret: true },
    delivery: {
      env: 'GA4_DELIVERY',
      default: 'at-most-once',
      schema: z.enum(['at-most-once', 'at-least-once'], { error: 'at-most-once (the default) or at-least-once' }),
    },
  },
  create: ga4Destination,
});
