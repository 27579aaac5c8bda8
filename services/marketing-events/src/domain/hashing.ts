import { hash } from 'node:crypto';
import { canonicalCustomer, looksPublished, type MarketingEvent } from '../../contracts';

/**
 * Meta's normalisation of customer information before SHA-256 ("customer information parameters"), applied to
 * the canonical identifiers (`canonicalCustomer` in @backbone/shared: E.164 phones, alpha-2 countries, ISO dates,
 * names without titles or invisible characters): a value normalised differently still hashes, is accepted, and
 * matches nobody, so these follow Meta's rules exactly and are tested against Meta's published example digests.
 */
/** SHA-256 as lowercase hex, one-shot (no Hash object per value; Node >= 20.12). */
export const sha256Hex = (value: string): string => hash('sha256', value, 'hex');

/** Trim, lowercase. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Digits only, no leading zeros, of an E.164 number ("+44 7700 900123" -> 447700900123). */
export function normalisePhone(phone: string): string {
  // One pass instead of two regular expressions: this runs for every event Meta gets.
  let digits = '';
  // Stryker disable next-line EqualityOperator: equivalent, the character past the end is not a digit.
  for (let i = 0; i < phone.length; i++) {
    const code = phone.charCodeAt(i);
    if (code >= 48 && code <= 57 && (code !== 48 || digits !== '')) digits += phone[i];
  }
  return digits;
}

/**
 * Lowercase, no punctuation, symbols, spaces or invisible characters; letters of every script are kept (UTF-8), not
 * stripped to a-z.
 */
export function normaliseName(name: string): string {
  const lower = name.toLowerCase();
  // Most names are plain a-z already: skip the Unicode pass for them.
  // Stryker disable next-line Regex: equivalent, the fast path and the Unicode pass agree on plain a-z.
  return /^[a-z]*$/.test(lower)
    ? lower
    : lower.normalize('NFC').replace(/[\p{P}\p{S}\s\p{Cf}\p{Cc}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/gu, '');
}

/** YYYYMMDD from an ISO date (YYYY-MM-DD). */
export const normaliseDateOfBirth = (isoDate: string): string => isoDate.replace(/-/g, '');

/** Lowercase ISO 3166-1 alpha-2 (the canonical form is upper case). */
export const normaliseCountry = (country: string): string => country.trim().toLowerCase();

/** The hash of a normalised value, or nothing for an empty one (sha256("") would match nobody, everywhere). */
export function hashed(
  value: string | undefined,
  normalise: (v: string) => string,
  hash: (v: string) => string = sha256Hex,
): string | undefined {
  if (value === undefined) return undefined;
  const normalised = normalise(value);
  return normalised === '' ? undefined : hash(normalised);
}

/**
 * SHA-256 hex, remembered, for identifiers that repeat across customers: a country (about 250 values), a date of birth
 * (a few tens of thousands). Bounded: when full it starts again. Never for emails, phones or names, which identify a
 * person on their own and should not outlive the event in memory.
 */
function rememberedHash(limit: number): (value: string) => string {
  const hashes = new Map<string, string>();
  return (value) => {
    let digest = hashes.get(value);
    // Stryker disable next-line ConditionalExpression: equivalent, a cache; only speed changes.
    if (digest === undefined) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, only how much is remembered.
      if (hashes.size >= limit) hashes.clear();
      digest = sha256Hex(value);
      hashes.set(value, digest);
    }
    return digest;
  };
}

/** A customer's identifiers, normalised and hashed as Meta specifies (the other platforms use the same). */
export interface HashedIdentity {
  externalId: string;
  em?: string;
  ph?: string;
  fn?: string;
  ln?: string;
  db?: string;
  country?: string;
}

// Where each of Meta's contact fields comes from, how it is normalised and hashed, in Meta's order.
const CONTACT_SOURCES = [
  ['em', 'email', normaliseEmail, sha256Hex],
  ['ph', 'phone', normalisePhone, sha256Hex],
  ['fn', 'firstName', normaliseName, sha256Hex],
  ['ln', 'lastName', normaliseName, sha256Hex],
  ['db', 'dateOfBirth', normaliseDateOfBirth, rememberedHash(50_000)],
  ['country', 'country', normaliseCountry, rememberedHash(1_000)],
] as const satisfies readonly (readonly [
  keyof HashedIdentity,
  keyof MarketingEvent['data']['customer'],
  (value: string) => string,
  (value: string) => string,
])[];

/** The contact fields of a HashedIdentity, in Meta's order. */
export const CONTACT_FIELDS = CONTACT_SOURCES.map(([field]) => field);

// An event goes to up to three platforms: hash its customer once, not once per platform.
const identities = new WeakMap<object, HashedIdentity>();

/**
 * The external id every platform gets (Meta's external_id, GA4's user_id, the webhook's externalId): SHA-256 hex of
 * the customer id as our systems hold it, NFC and trimmed, never lower-cased (ids are case-sensitive).
 */
export const externalIdOf = (customerId: string): string =>
  // Stryker disable next-line Regex,ConditionalExpression: equivalent, a fast path for printable ASCII.
  sha256Hex(/^[\x21-\x7e]+$/.test(customerId) ? customerId : customerId.normalize('NFC').trim());

export function hashedIdentity(customer: MarketingEvent['data']['customer']): HashedIdentity {
  let identity = identities.get(customer);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; only speed changes.
  if (!identity) {
    // Canonical already when published through publishMarketingEvents; made so here for an event published otherwise.
    const canonical = looksPublished(customer) ? customer : canonicalCustomer(customer, { published: true }).customer;
    identity = { externalId: externalIdOf(customer.customerId) };
    for (const [field, source, normalise, hash] of CONTACT_SOURCES) {
      const value = hashed(canonical[source], normalise, hash);
      if (value !== undefined) identity[field] = value;
    }
    // Stryker disable next-line CallExpression: equivalent, a cache; only speed changes.
    identities.set(customer, identity);
  }
  return identity;
}

/** The id every platform deduplicates on: stable for the business fact, and no customer id in clear. */
export const destinationEventId = (envelopeId: string): string => sha256Hex(envelopeId).slice(0, 40);

const eventIds = new WeakMap<object, string>();

/** destinationEventId of an event, computed once whichever platforms it goes to. */
export function destinationEventIdOf(event: MarketingEvent): string {
  let id = eventIds.get(event);
  // Stryker disable next-line ConditionalExpression: equivalent, a cache; only speed changes.
  if (id === undefined) {
    id = destinationEventId(event.id);
    // Stryker disable next-line CallExpression: equivalent, a cache; only speed changes.
    eventIds.set(event, id);
  }
  return id;
}
