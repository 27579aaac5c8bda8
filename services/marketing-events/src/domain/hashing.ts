import { hash } from 'node:crypto';

/**
 * Meta's normalisation of customer information before SHA-256 ("customer information parameters"):
 * a value normalised differently still hashes, is accepted, and matches nobody, so these follow Meta's
 * rules exactly and are tested against Meta's published example digests.
 */
// The same identifiers are hashed for every platform an event goes to (the customer id three times):
// remember the latest few thousand digests. Bounded, and cleared whole when full.
const recent = new Map<string, string>();
const RECENT_LIMIT = 4_096;

export function sha256Hex(value: string): string {
  let digest = recent.get(value);
  if (digest === undefined) {
    // One-shot hash: no Hash object per value (Node >= 20.12).
    digest = hash('sha256', value, 'hex');
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(value, digest);
  }
  return digest;
}

/** Trim, lowercase. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** Digits only, no leading zeros; the country code must already be there ("+44 7700 900123" -> 447700900123). */
export const normalisePhone = (phone: string): string => phone.replace(/\D/g, '').replace(/^0+/, '');

/** Lowercase, no punctuation or spaces; letters of every script are kept (UTF-8), not stripped to a-z. */
export const normaliseName = (name: string): string =>
  name
    .normalize('NFC')
    .toLocaleLowerCase('en')
    .replace(/[\p{P}\p{S}\s]/gu, '');

/** YYYYMMDD from an ISO date (YYYY-MM-DD). */
export const normaliseDateOfBirth = (isoDate: string): string => isoDate.replace(/-/g, '');

/** Lowercase ISO 3166-1 alpha-2. */
export const normaliseCountry = (country: string): string => country.trim().toLowerCase();

/** The hash of a normalised value, or nothing for an empty one (sha256("") would match nobody, everywhere). */
export function hashed(value: string | undefined, normalise: (v: string) => string): string | undefined {
  if (value === undefined) return undefined;
  const normalised = normalise(value);
  return normalised === '' ? undefined : sha256Hex(normalised);
}

/** Lowercase SHA-256 hex, as Meta expects every hashed field. */
export const isSha256Hex = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);
