import { randomBytes } from 'node:crypto';
import { metaMatchKeys } from '../../src/domain/match-keys';
import type { StandIn, StandInRequest } from './stand-in';

const META_MAX_BATCH = 1_000;
const META_MAX_AGE_SECONDS = 7 * 86_400;
const HEX64 = /^[0-9a-f]{64}$/;
const HASHED_FIELDS = ['em', 'ph', 'fn', 'ln', 'db', 'ge', 'ct', 'st', 'zp', 'country', 'external_id'];

const fbtrace = (): string => randomBytes(8).toString('base64url');

/** Meta's error shape; code 100 is "Invalid parameter", 190 an invalid access token. */
const metaError = (message: string, code = 100, subcode?: number) => ({
  error: {
    message,
    type: 'OAuthException',
    code,
    ...(subcode ? { error_subcode: subcode } : {}),
    fbtrace_id: fbtrace(),
  },
});

/** What Meta would refuse in one server event, or undefined. */
export function metaEventProblem(event: Record<string, unknown>, nowSeconds: number): string | undefined {
  if (typeof event.event_name !== 'string' || event.event_name === '') return 'event_name is required';
  if (typeof event.event_time !== 'number' || !Number.isInteger(event.event_time))
    return 'event_time must be a unix time in seconds';
  if (event.event_time < nowSeconds - META_MAX_AGE_SECONDS)
    return 'event_time is more than 7 days in the past: the event is too old to be accepted';
  if (event.event_time > nowSeconds + 600) return 'event_time is in the future';
  if (typeof event.event_id !== 'string' || event.event_id === '') return 'event_id is required for deduplication';
  if (event.action_source !== 'app') return 'action_source must be "app" for app events';
  const userData = event.user_data as Record<string, unknown> | undefined;
  if (!userData || Object.keys(userData).length === 0)
    return 'user_data needs at least one customer information parameter';
  for (const field of HASHED_FIELDS) {
    const value = userData[field];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => typeof v === 'string' && HEX64.test(v)))
      return `user_data.${field} must be SHA-256 hashed (64 lowercase hex characters)`;
  }
  const appData = event.app_data as Record<string, unknown> | undefined;
  if (!appData) return 'app_data is required for app events';
  if (appData.advertiser_tracking_enabled !== 0 && appData.advertiser_tracking_enabled !== 1)
    return 'app_data.advertiser_tracking_enabled must be 0 or 1';
  const extinfo = appData.extinfo;
  if (!Array.isArray(extinfo) || extinfo.length !== 16 || !['a2', 'i2'].includes(String(extinfo[0])))
    return 'app_data.extinfo must be 16 strings starting with "a2" (Android) or "i2" (iOS)';
  return undefined;
}

function handleMeta({ path, body, credentials, accept, reject, respond }: StandInRequest): void {
  if (body.access_token !== credentials.metaAccessToken)
    return reject(400, metaError('Invalid OAuth access token - Cannot parse access token', 190));
  if (path.split('/')[2] !== credentials.metaDatasetId)
    return reject(400, metaError('Unsupported post request: unknown dataset', 100, 33));
  const data = body.data;
  if (!Array.isArray(data) || data.length === 0)
    return reject(400, metaError('data must be a non-empty array of events'));
  if (data.length > META_MAX_BATCH)
    return reject(400, metaError(`data has ${data.length} events; at most ${META_MAX_BATCH} per request`));
  const now = Math.floor(Date.now() / 1000);
  for (const [index, event] of data.entries()) {
    const problem = metaEventProblem(event as Record<string, unknown>, now);
    // One invalid event fails the whole request, as it does at Meta.
    if (problem) return reject(400, metaError(`Invalid parameter: data[${index}]: ${problem}`, 100, 2804003));
  }
  const events = data as { event_name: string; event_id: string; user_data: Record<string, unknown> }[];
  accept(
    events.map((e) => `${e.event_name}:${e.event_id}`),
    events.map((e) => metaMatchKeys(e.user_data)),
  );
  respond(200, { events_received: data.length, messages: [], fbtrace_id: fbtrace() });
}

/** Meta's Conversions API: POST /v<version>/<dataset>/events. */
export const metaStandIn: StandIn = {
  platform: 'meta',
  matches: (path) => /^\/v\d+\.\d+\/[^/]+\/events$/.test(path),
  handle: handleMeta,
  deduplicates: true,
  errorBody: (message, kind) =>
    metaError(kind === 'injected' ? 'Service temporarily unavailable' : message, kind === 'injected' ? 2 : 100),
};
