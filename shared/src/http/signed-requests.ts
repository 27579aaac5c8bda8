/**
 * Requests signed with a shared secret, for a service's own callers (the rules engine's: the invoke step, the refresh
 * step). The signature is an HMAC-SHA256 over the method, the path, the time and the SHA-256 of the body, so a request
 * cannot be altered, nor sent again later: the receiver refuses one whose time is more than a few minutes off, and one
 * it has seen already (by signature, while it is within the window). Nothing secret travels: a caller proves it holds
 * the secret, and a rotation is followed by accepting the previous secret beside the current one.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADERS = {
  time: 'x-backbone-time',
  /** Random per request: two identical requests sent in the same millisecond are still two requests. */
  nonce: 'x-backbone-nonce',
  signature: 'x-backbone-signature',
} as const;

/** How far a request's time may be from the receiver's clock, either way (and how long a signature is remembered). */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

/** At most this many signatures are remembered: beyond, the oldest go first (a flood ages its own entries out). */
export const MAX_REMEMBERED = 200_000;

interface Signed {
  method: string;
  /** The path and query, as the receiver sees them. */
  path: string;
  body: string | Buffer;
}

const signatureOf = (secret: string, request: Signed, time: string, nonce: string): Buffer =>
  createHmac('sha256', secret)
    .update(
      `${request.method.toUpperCase()}\n${request.path}\n${time}\n${nonce}\n` +
        createHash('sha256').update(request.body).digest('hex'),
    )
    .digest();

/** The headers that sign a request (send them with it, the body exactly as signed). */
export function signatureHeaders(secret: string, request: Signed, now = Date.now()): Record<string, string> {
  const time = String(now);
  const nonce = randomBytes(12).toString('base64url');
  return {
    [SIGNATURE_HEADERS.time]: time,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signatureOf(secret, request, time, nonce).toString('base64url'),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks requests' signatures against `secrets` (the current first; the previous one during a rotation), refusing a
 * missing, wrong, stale or replayed one with the reason (say it with a 401 and nothing else).
 */
export function createSignatureVerifier(options: {
  secrets: () => Promise<readonly string[]>;
  windowMs?: number;
  now?: () => number;
  maxRemembered?: number;
}) {
  const windowMs = options.windowMs ?? SIGNATURE_WINDOW_MS;
  const maxRemembered = options.maxRemembered ?? MAX_REMEMBERED;
  const now = options.now ?? Date.now;
  /** Signatures seen, with the last moment their time is still accepted (insertion order: oldest first). */
  const seen = new Map<string, number>();
  const forgetOld = (at: number) => {
    for (const [signature, until] of seen) {
      // Kept through `until` itself: at that very millisecond the request's time still passes the window check.
      if (until >= at && seen.size < maxRemembered) break;
      seen.delete(signature);
    }
  };

  return async (
    request: Signed & { headers: Record<string, string | string[] | undefined> },
  ): Promise<SignatureCheck> => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? undefined : value;
    };
    const time = header(SIGNATURE_HEADERS.time);
    const nonce = header(SIGNATURE_HEADERS.nonce);
    const given = header(SIGNATURE_HEADERS.signature);
    if (!time || !nonce || !given)
      return { ok: false, reason: `unsigned: send ${Object.values(SIGNATURE_HEADERS).join(', ')}` };
    const at = now();
    const sentAt = Number(time);
    if (!Number.isSafeInteger(sentAt) || Math.abs(at - sentAt) > windowMs)
      return { ok: false, reason: `the request's time is more than ${windowMs / 60_000} minutes from the server's` };
    const signature = Buffer.from(given, 'base64url');
    const matches = (await options.secrets()).some((secret) => {
      const expected = signatureOf(secret, request, time, nonce);
      return expected.length === signature.length && timingSafeEqual(expected, signature);
    });
    if (!matches) return { ok: false, reason: 'the signature does not match the request' };
    if (seen.has(given)) return { ok: false, reason: 'this request was sent already (a replay)' };
    // Room is made only for a signature to remember: a replay checked against a full memory evicts nothing.
    forgetOld(at);
    seen.set(given, sentAt + windowMs);
    return { ok: true };
  };
}
