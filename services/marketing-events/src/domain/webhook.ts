import { createHmac } from 'node:crypto';
import type { MarketingEvent } from '../../contracts';
import { z } from 'zod';
import type { Destination, Prepared } from './destination';
import { destinationEventIdOf, hashedIdentity, sha256Hex } from './hashing';
import { matchKeyBit, matchKeysOf } from './match-keys';
import type { HttpTransport } from './outcome';
import { definePlatform } from './platform';

export interface WebhookSettings {
  url: string;
  /** The shared key receivers verify X-Signature with. */
  signingKey: string;
}

export interface WebhookEvent {
  eventId: string;
  type: string;
  occurredAt: string;
  customer: { externalId: string; emailSha256?: string; phoneSha256?: string };
  device: { platform: string; appId: string; appVersion: string };
  properties: Record<string, string | number>;
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed, so a replay shows its age. */
export function webhookSignature(signingKey: string, body: string, unixSeconds: number): string {
  // Fed in two parts: the body (100 events) is not copied into a new string to be signed.
  const mac = createHmac('sha256', signingKey).update(`${unixSeconds}.`).update(body, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function toWebhookEvent(event: MarketingEvent): Prepared<WebhookEvent> {
  const { data } = event;
  const properties: Record<string, string | number> = {};
  for (const key of ['applicationId', 'loanId', 'product', 'amount', 'currency', 'method'] as const) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') properties[key] = value;
  }
  const identity = hashedIdentity(data.customer);
  return {
    ok: true,
    payload: {
      eventId: destinationEventIdOf(event),
      type: event.type,
      occurredAt: event.occurredAt,
      // Identifiers hashed: a generic platform gets what it can match on, never raw personal data.
      customer: {
        externalId: identity.externalId,
        ...(identity.em ? { emailSha256: identity.em } : {}),
        ...(identity.ph ? { phoneSha256: identity.ph } : {}),
      },
      device: { platform: data.device.platform, appId: data.device.appId, appVersion: data.device.appVersion },
      properties,
    },
  };
}

/** Events per webhook request: `{"events": [...]}`; receivers deduplicate on each event's eventId. */
export const WEBHOOK_MAX_BATCH = 100;

const [EXTERNAL_ID_BIT, EMAIL_BIT, PHONE_BIT] = (['externalId', 'email', 'phone'] as const).map(matchKeyBit) as [
  number,
  number,
  number,
];

export function webhookDestination(
  settings: WebhookSettings,
  http: HttpTransport,
  clock: () => number = Date.now,
): Destination<WebhookEvent> {
  return {
    name: 'webhook',
    maxBatch: WEBHOOK_MAX_BATCH,
    concurrency: 8,
    // A receiver that refuses one event of a batch refuses the request: find the bad one, deliver the rest.
    matchKeys: ({ customer }) =>
      matchKeysOf(EXTERNAL_ID_BIT | (customer.emailSha256 ? EMAIL_BIT : 0) | (customer.phoneSha256 ? PHONE_BIT : 0)),
    // Receivers deduplicate on eventId (the README's receiver contract): anything in doubt is sent again.
    delivery: 'at-least-once',
    bisectOnRejection: true,
    prepare: toWebhookEvent,
    send(events) {
      const body = JSON.stringify({ events });
      return http.post(settings.url, body, {
        'content-type': 'application/json',
        'x-signature': webhookSignature(settings.signingKey, body, Math.floor(clock() / 1000)),
        // The same batch retried carries the same key.
        'idempotency-key': sha256Hex(events.map((e) => e.eventId).join(',')).slice(0, 40),
      });
    },
  };
}

/** Our own signed webhook, for partners and internal consumers: every event type. */
export const webhookPlatform = definePlatform<WebhookSettings>({
  name: 'webhook',
  routes: ['RegistrationCompleted', 'LoanApplicationSubmitted', 'LoanApproved', 'LoanDisbursed', 'FirstRepaymentMade'],
  settings: {
    url: { env: 'WEBHOOK_URL', schema: z.url() },
    signingKey: { env: 'WEBHOOK_SIGNING_KEY', secret: true },
  },
  create: webhookDestination,
});
