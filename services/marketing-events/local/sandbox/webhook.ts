import { createHmac, timingSafeEqual } from 'node:crypto';
import type { StandIn, StandInRequest } from './stand-in';

function handleWebhook({ raw, text, body, credentials, accept, reject, respond }: StandInRequest): void {
  const header = String(raw.headers['x-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  const expected = match
    ? createHmac('sha256', credentials.webhookSigningKey).update(`${match[1]}.${text}`).digest()
    : undefined;
  const fresh = match ? Math.abs(Date.now() / 1000 - Number(match[1])) < 300 : false;
  if (!match || !expected || !fresh || !timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) {
    return reject(401, { message: 'bad or stale X-Signature' });
  }
  const events = Array.isArray(body.events)
    ? (body.events as { eventId?: unknown; type?: unknown; customer?: Record<string, unknown> }[])
    : undefined;
  const bad = events?.findIndex((e) => typeof e.eventId !== 'string' || typeof e.type !== 'string');
  if (!events || events.length === 0 || events.length > 100 || bad !== -1) {
    return reject(422, {
      message: !events
        ? 'the body must be {"events": [...]}'
        : bad !== -1
          ? `events[${bad}]: eventId and type are required`
          : '1 to 100 events per request',
    });
  }
  accept(
    events.map((e) => `${String(e.type)}:${String(e.eventId)}`),
    events.map((e) =>
      [
        e.customer?.externalId ? 'externalId' : undefined,
        e.customer?.emailSha256 ? 'email' : undefined,
        e.customer?.phoneSha256 ? 'phone' : undefined,
      ].filter((key): key is string => key !== undefined),
    ),
  );
  respond(202, { accepted: events.length });
}

/** Our signed webhook's receiver: POST /webhook, X-Signature checked, 1 to 100 events. */
export const webhookStandIn: StandIn = {
  platform: 'webhook',
  matches: (path) => path === '/webhook',
  handle: handleWebhook,
  deduplicates: true,
};
