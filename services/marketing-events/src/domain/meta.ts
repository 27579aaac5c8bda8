import { metaRefusal, type MarketingEvent } from '../../contracts';
import { z } from 'zod';
import type { Destination } from './destination';
import { CONTACT_FIELDS, destinationEventIdOf, hashedIdentity } from './hashing';
import { metaMatchKeys } from './match-keys';
import type { HttpAnswer, HttpTransport, RejectionReading } from './outcome';
import { definePlatform } from './platform';

export const META_MAX_BATCH = 1_000;

export interface MetaSettings {
  baseUrl: string;
  apiVersion: string;
  /** The dataset (pixel) linked to the app. */
  datasetId: string;
  accessToken: string;
  /** Events Manager's "Test events" code: events show there and are not used for ads. */
  testEventCode?: string;
}

const META_EVENT_NAMES: Record<MarketingEvent['type'], string> = {
  RegistrationCompleted: 'CompleteRegistration',
  LoanApplicationSubmitted: 'SubmitApplication',
  LoanApproved: 'LoanApproved',
  LoanDisbursed: 'LoanDisbursed',
  FirstRepaymentMade: 'FirstRepayment',
};

export interface MetaServerEvent {
  event_name: string;
  event_time: number;
  event_id: string;
  action_source: 'app';
  user_data: Record<string, string[]>;
  app_data: {
    advertiser_tracking_enabled: 0 | 1;
    application_tracking_enabled: 0 | 1;
    extinfo: string[];
  };
  custom_data?: Record<string, string | number>;
}

/** Meta's user_data: each identifier normalised and hashed exactly as Meta specifies. */
export function metaUserData(customer: MarketingEvent['data']['customer']): Record<string, string[]> {
  const identity = hashedIdentity(customer);
  const userData: Record<string, string[]> = {};
  for (const field of CONTACT_FIELDS) {
    const value = identity[field];
    if (value !== undefined) userData[field] = [value];
  }
  userData.external_id = [identity.externalId];
  return userData;
}

/** extinfo: 16 strings in Meta's fixed order; unknown ones are empty. */
function extinfo(device: MarketingEvent['data']['device']): string[] {
  return [
    device.platform === 'ios' ? 'i2' : 'a2',
    device.appId,
    device.appVersion,
    device.appVersion,
    device.osVersion,
    device.model ?? '',
    device.locale ?? '',
    '', // timezone abbreviation
    '', // carrier
    '', // screen width
    '', // screen height
    '', // screen density
    '', // CPU cores
    '', // external storage size (GB)
    '', // free space (GB)
    device.timezone ?? '',
  ];
}

export function toMetaEvent(
  event: MarketingEvent,
  now: Date,
): { ok: true; payload: MetaServerEvent } | { ok: false; reason: string } {
  const refusal = metaRefusal(event, now);
  if (refusal !== undefined) return { ok: false, reason: refusal };
  const occurred = Date.parse(event.occurredAt);
  const { data } = event;
  const payload: MetaServerEvent = {
    event_name: META_EVENT_NAMES[event.type],
    event_time: Math.floor(occurred / 1000),
    event_id: destinationEventIdOf(event),
    action_source: 'app',
    user_data: metaUserData(data.customer),
    app_data: {
      advertiser_tracking_enabled: data.device.advertiserTrackingEnabled ? 1 : 0,
      application_tracking_enabled: data.device.applicationTrackingEnabled ? 1 : 0,
      extinfo: extinfo(data.device),
    },
  };
  if ('amount' in data) payload.custom_data = { value: data.amount, currency: data.currency };
  if ('product' in data) (payload.custom_data ??= {}).content_name = data.product;
  return { ok: true, payload };
}

// Graph API codes Meta uses for throttling and temporary trouble: 1 unknown, 2 service, 4 app rate limit,
// 17 user rate limit, 32 page rate limit, 341 application limit, 613 calls per period, 80000-80014 business use case limits.
const GRAPH_RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 341, 613]);

/** Meta's error body: {error: {message, type, code, error_subcode, fbtrace_id}}. */
export function graphErrorOf(body: unknown): { code?: number; message?: string; subcode?: number } {
  const error = (body as { error?: { code?: unknown; message?: unknown; error_subcode?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'number' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
    subcode: typeof error?.error_subcode === 'number' ? error.error_subcode : undefined,
  };
}

// Graph API codes about us, not the events: 190 an invalid or expired access token, 102 a session, 10 and 200-299
// a permission the token lacks.
const isGraphRefusalOfUs = (code: number): boolean =>
  code === 190 || code === 102 || code === 10 || (code >= 200 && code <= 299);

/**
 * A Graph throttle code means "later", whatever the status (Meta answers 400 to "slow down"); a token or permission
 * code means Meta refused us, not the events.
 */
export function readMetaRejection(answer: HttpAnswer): RejectionReading {
  const { code, message } = graphErrorOf(answer.body);
  if (code === undefined) return { message };
  if (GRAPH_RETRYABLE_CODES.has(code) || (code >= 80000 && code <= 80014))
    return { verdict: 'retryable', message, code };
  if (isGraphRefusalOfUs(code)) return { verdict: 'refused-us', message, code };
  return { message, code };
}

export function metaDestination(settings: MetaSettings, http: HttpTransport): Destination<MetaServerEvent> {
  const url = `${settings.baseUrl.replace(/\/$/, '')}/${settings.apiVersion}/${settings.datasetId}/events`;
  return {
    name: 'meta',
    maxBatch: META_MAX_BATCH,
    concurrency: 4,
    matchKeys: (event) => metaMatchKeys(event.user_data),
    // Meta deduplicates a repeat on event_id and event_name: anything in doubt is sent again.
    delivery: 'at-least-once',
    bisectOnRejection: true,
    prepare: toMetaEvent,
    readRejection: readMetaRejection,
    send(events) {
      // The token travels in the body, not the URL, so it never lands in an access log.
      const body = JSON.stringify({
        data: events,
        access_token: settings.accessToken,
        ...(settings.testEventCode ? { test_event_code: settings.testEventCode } : {}),
      });
      return http.post(url, body, { 'content-type': 'application/json' });
    },
  };
}

/** Meta's Conversions API (app events): every event type but the first repayment. */
export const metaPlatform = definePlatform<MetaSettings>({
  name: 'meta',
  routes: ['RegistrationCompleted', 'LoanApplicationSubmitted', 'LoanApproved', 'LoanDisbursed'],
  settings: {
    baseUrl: { env: 'META_BASE_URL', default: 'https://graph.facebook.com', schema: z.url() },
    apiVersion: { env: 'META_API_VERSION', default: 'v24.0', schema: z.string().regex(/^v\d+\.\d+$/, 'like v24.0') },
    datasetId: { env: 'META_DATASET_ID' },
    accessToken: { env: 'META_ACCESS_TOKEN', secret: true },
    testEventCode: { env: 'META_TEST_EVENT_CODE', optional: true },
  },
  create: metaDestination,
});
