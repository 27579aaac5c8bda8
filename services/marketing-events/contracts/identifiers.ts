import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json';
import { marketingCustomerSchema, type MarketingEventInput } from './events';
import { canonicalPhone, type Verdict } from './phone';

export { asciiDigits, canonicalPhone, plainPhoneText } from './phone';

// English names are registered on first use, not at import: every service imports @backbone/shared, and only the
// marketing publisher reads country names.
let englishNames = false;
function alpha2OfEnglishName(name: string): string | undefined {
  if (!englishNames) {
    countries.registerLocale(english);
    englishNames = true;
  }
  return countries.getAlpha2Code(name, 'en');
}

/**
 * A customer's optional identifiers as backends and forms write them, made canonical before they are published:
 * email an address, phone E.164, names without invisible characters, titles or suffixes, date of birth
 * YYYY-MM-DD, country ISO 3166-1 alpha-2. An identifier that cannot be made canonical is left out of the event with
 * the reason (a warning to the publisher), never guessed and never a reason to refuse the event: the conversion
 * still reaches every platform, with one identifier fewer to match on.
 *
 * Canonical values go through again unchanged, so marketing-events applies the same function to what it reads and
 * hashes the same values whoever published them.
 */
export type CustomerInput = MarketingEventInput['data']['customer'];

/** The identifiers that may be left out, as the contract names them. */
export const OPTIONAL_IDENTIFIERS = ['email', 'phone', 'firstName', 'lastName', 'dateOfBirth', 'country'] as const;
export type OptionalIdentifier = (typeof OPTIONAL_IDENTIFIERS)[number];

export interface LeftOut {
  field: `customer.${OptionalIdentifier}`;
  reason: string;
}

/** A lending customer is at least this old: a younger date of birth is a typing mistake, not a customer. */
export const MINIMUM_CUSTOMER_AGE = 18;
const EARLIEST_BIRTH_YEAR = 1900;

// ---- country ----

const COUNTRY_ALIASES: Record<string, string> = { UK: 'GB' };

const withoutMarks = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '');

/** ISO 3166-1 alpha-2 (upper case) from an alpha-2 or alpha-3 code or an English name, in any case and spacing. */
export function canonicalCountry(country: string): Verdict {
  const trimmed = country.trim().replace(/\s+/g, ' ');
  const upper = trimmed.toUpperCase();
  if (/^[A-Z]{2}$/.test(upper)) {
    const code = COUNTRY_ALIASES[upper] ?? upper;
    if (countries.isValid(code)) return { value: code };
  } else if (/^[A-Z]{3}$/.test(upper)) {
    const code = countries.alpha3ToAlpha2(upper);
    if (code) return { value: code };
  } else {
    const code = alpha2OfEnglishName(withoutMarks(trimmed));
    if (code) return { value: code };
  }
  return { reason: `"${trimmed}" is not a country: send an ISO 3166-1 alpha-2 code such as GB` };
}

// ---- names ----

// Invisible and format characters: zero-width space and joiners, soft hyphen, byte order mark, bidirectional
// marks (Cf), control characters (Cc), and variation selectors (emoji presentation).
const INVISIBLE = /[\p{Cf}\p{Cc}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]/gu;
// Before a first name: titles in English and in our markets (Philippines: Engr., Atty.; Mexico: Sr., Sra., Lic.,
// Ing.; India: Shri, Smt.). After a last name: generational and academic suffixes.
const TITLES = new Set([
  'mr',
  'mrs',
  'ms',
  'miss',
  'mx',
  'dr',
  'prof',
  'sir',
  'dame',
  'rev',
  'hon',
  'engr',
  'atty',
  'sr',
  'sra',
  'srta',
  'lic',
  'ing',
  'shri',
  'smt',
]);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

const wordKey = (word: string): string => word.toLowerCase().replace(/[.,]/g, '');

/** A name without invisible characters, a leading title (first names) or a trailing suffix (last names). */
export function canonicalName(name: string, part: 'first' | 'last'): Verdict {
  const words = name.normalize('NFC').replace(INVISIBLE, '').trim().split(/\s+/).filter(Boolean);
  // Only while a name is left: "Sir" alone may be someone's name.
  if (part === 'first') while (words.length > 1 && TITLES.has(wordKey(words[0]!))) words.shift();
  else while (words.length > 1 && SUFFIXES.has(wordKey(words.at(-1)!))) words.pop();
  const value = words.join(' ').replace(/,$/, '');
  return /[\p{L}\p{N}]/u.test(value) ? { value } : { reason: 'has no letters' };
}

// ---- email ----

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>".]+$/;

/** The address itself, as people and forms write it: `mailto:`, a display name, quotes or brackets, a final dot. */
export function canonicalEmail(email: string): Verdict {
  let text = email.normalize('NFC').replace(INVISIBLE, '').trim();
  const bracketed = /<([^<>]*)>\s*$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  text = text
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^["']+|["']+$/g, '')
    .replace(/\.+$/, '')
    .toLowerCase();
  return EMAIL.test(text) ? { value: text } : { reason: 'not an email address (name@domain.tld)' };
}

// ---- date of birth ----

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthNumber = (word: string): number | undefined => {
  const index = MONTHS.indexOf(word.slice(0, 3).toLowerCase());
  return index < 0 || (word.length > 3 && !/^[a-z]+\.?$/i.test(word)) ? undefined : index + 1;
};

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

// A time after a date, and its offset, ignored: a date of birth is a calendar date, not an instant (moving
// 1997-02-16T23:30:00-05:00 to UTC would make it the 17th).
const TIME = String.raw`(?:[Tt ]\d{1,2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:[Zz]|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?)?`;
// Year first: compact (19970216), or with one separator throughout and the month and day padded or not (1997-02-16,
// 1997-2-6, 1997/02/16, 1997.2.16); either with a time or not.
const YEAR_FIRST = [
  new RegExp(String.raw`^(?<year>\d{4})(?<month>\d{2})(?<day>\d{2})${TIME}$`),
  new RegExp(String.raw`^(?<year>\d{4})([-/.])(?<month>\d{1,2})\2(?<day>\d{1,2})${TIME}$`),
];

/**
 * YYYY-MM-DD from the forms people send unambiguously: year first (2001-02-16, 2001-2-6, 20010216, 2001/02/16, an ISO
 * date-time, whose date is taken as written), day or month first when one of them is over 12 (16/02/2001, 02/16/2001), and
 * month names (16 Feb 2001, February 16, 2001). 03/04/2001 could be either: refused with the form to send. A date
 * before 1900, in the future, or of someone younger than a lending customer can be is left out.
 */
export function canonicalDateOfBirth(text: string, now: Date): Verdict {
  const value = text.trim();
  let year: number;
  let month: number;
  let day: number;
  let match: RegExpExecArray | null;
  const yearFirst = YEAR_FIRST.map((form) => form.exec(value)?.groups).find(Boolean);
  if (yearFirst) {
    [year, month, day] = [Number(yearFirst.year), Number(yearFirst.month), Number(yearFirst.day)];
  } else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value))) {
    const [first, second] = [Number(match[1]), Number(match[2])];
    year = Number(match[3]);
    if (first > 12 || first === second) [day, month] = [first, second];
    else if (second > 12) [month, day] = [first, second];
    else
      return {
        reason: `"${value}" could be day/month or month/day: send YYYY-MM-DD (${match[3]}-${pad(second)}-${pad(first)} or ${match[3]}-${pad(first)}-${pad(second)})`,
      };
  } else if ((match = /^(\d{1,2})\s+([A-Za-z]+\.?),?\s+(\d{4})$/.exec(value))) {
    [day, year] = [Number(match[1]), Number(match[3])];
    month = monthNumber(match[2]!) ?? 0;
  } else if ((match = /^([A-Za-z]+\.?)\s+(\d{1,2}),?\s+(\d{4})$/.exec(value))) {
    [day, year] = [Number(match[2]), Number(match[3])];
    month = monthNumber(match[1]!) ?? 0;
  } else {
    return { reason: `"${value}" is not a date: send YYYY-MM-DD` };
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCDate() !== day || date.getUTCMonth() !== month - 1)
    return { reason: `"${value}" is not a calendar date: send YYYY-MM-DD` };
  const iso = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (year < EARLIEST_BIRTH_YEAR) return { reason: `${iso} is before ${EARLIEST_BIRTH_YEAR}` };
  const today = now.toISOString().slice(0, 10);
  if (iso > today) return { reason: `${iso} is in the future` };
  const youngest = `${pad(now.getUTCFullYear() - MINIMUM_CUSTOMER_AGE, 4)}${today.slice(4)}`;
  if (iso > youngest) return { reason: `${iso} is of someone younger than ${MINIMUM_CUSTOMER_AGE}` };
  return { value: iso };
}

// ---- the customer ----

// ISO 3166-1 alpha-2 codes as a set, made once: asked of every event the dispatcher reads ("UK" is not among them).
const ALPHA_2 = new Set(Object.keys(countries.getAlpha2Codes()));

// What publishMarketingEvents writes, recognised cheaply: marketing-events reads every event's customer, and only one
// published otherwise pays for the full treatment (libphonenumber's parse, Unicode passes, the contract's schema).
const LOOKS_CANONICAL: Record<Exclude<OptionalIdentifier, 'dateOfBirth'>, (value: string) => boolean> = {
  email: (value) => /^[a-z0-9._%+-]+@[a-z0-9-][a-z0-9.-]*\.[a-z]{2,}$/.test(value) && value.length <= 254,
  phone: (value) => /^\+[1-9]\d{6,14}$/.test(value),
  // One plain word: no title or suffix to take off, nothing invisible.
  firstName: (value) => /^[A-Za-z][A-Za-z'-]{0,99}$/.test(value),
  lastName: (value) => /^[A-Za-z][A-Za-z'-]{0,99}$/.test(value),
  country: (value) => ALPHA_2.has(value),
};

// 1 January of the year someone turning 18 this year was born, for the year the clock is in: made again only when
// the year changes (and for a clock set elsewhere), since every event the dispatcher reads asks.
let adultCutoff = { from: 0, until: 0, date: '' };
function adultBirthCutoff(nowMs: number): string {
  if (nowMs < adultCutoff.from || nowMs >= adultCutoff.until) {
    const year = new Date(nowMs).getUTCFullYear();
    adultCutoff = {
      from: Date.UTC(year, 0, 1),
      until: Date.UTC(year + 1, 0, 1),
      date: `${year - MINIMUM_CUSTOMER_AGE}-01-01`,
    };
  }
  return adultCutoff.date;
}

// Plainly old enough: born before 1 January of the year someone turning 18 this year was born (the rest go the full
// way).
const looksLikeAdultBirthDate = (value: string, nowMs: number): boolean =>
  /^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(value) && value < adultBirthCutoff(nowMs);

const fits = (value: unknown, check: (value: string) => boolean): boolean =>
  value === undefined || (typeof value === 'string' && check(value));

const NOTHING_LEFT_OUT: LeftOut[] = [];

/**
 * Whether every optional identifier is as publishMarketingEvents writes it (then canonicalCustomer has nothing to
 * do): one pass, no allocation, for marketing-events, which asks it of every event it reads.
 */
export function looksPublished(customer: CustomerInput, now?: Date): boolean {
  // Named reads, not a loop over field names: this runs for every event the dispatcher reads.
  const { email, phone, firstName, lastName, dateOfBirth, country } = customer;
  return (
    fits(email, LOOKS_CANONICAL.email) &&
    fits(phone, LOOKS_CANONICAL.phone) &&
    fits(firstName, LOOKS_CANONICAL.firstName) &&
    fits(lastName, LOOKS_CANONICAL.lastName) &&
    fits(country, LOOKS_CANONICAL.country) &&
    fits(dateOfBirth, (value) => looksLikeAdultBirthDate(value, now ? now.getTime() : Date.now()))
  );
}

/**
 * The customer with each optional identifier canonical, or left out with the reason. The customer id and anything
 * the function does not know pass through unchanged.
 */
export function canonicalCustomer<C extends CustomerInput>(
  customer: C,
  options: {
    now?: Date;
    /**
     * The customer of an event already published (marketing-events reading its queue): when every identifier looks as
     * the publisher writes it (an E.164 phone it checked, ...), it is taken as it is, so that only an event published
     * otherwise pays for parsing.
     */
    published?: boolean;
    /**
     * The country to read a national phone number with when the customer's own is absent or unreadable: a backend
     * for a single market sets it once (publishMarketingEvents' `defaultCountry`). ISO 3166-1 alpha-2.
     */
    defaultCountry?: string;
  } = {},
): { customer: C; leftOut: LeftOut[] } {
  const now = options.now ?? new Date();
  if (options.published && looksPublished(customer, now)) return { customer, leftOut: NOTHING_LEFT_OUT };
  const out: Record<string, unknown> = { ...customer };
  const leftOut: LeftOut[] = [];
  let country: string | undefined;
  const apply = (field: OptionalIdentifier, verdict: (value: string) => Verdict): void => {
    const value = customer[field];
    if (value === undefined || value === null) return;
    let result = typeof value === 'string' ? verdict(value) : { reason: 'is not text' };
    if ('value' in result) {
      // What the contract would still refuse in a canonical value (a 300-character name) is left out too.
      const checked = marketingCustomerSchema.shape[field].safeParse(result.value);
      if (!checked.success) result = { reason: checked.error.issues[0]?.message ?? 'refused by the contract' };
    }
    if ('value' in result) out[field] = result.value;
    else {
      delete out[field];
      leftOut.push({ field: `customer.${field}`, reason: result.reason });
    }
  };
  // The country first: a national phone number is read with it.
  apply('country', (value) => {
    const verdict = canonicalCountry(value);
    if ('value' in verdict) country = verdict.value;
    return verdict;
  });
  apply('phone', (value) => canonicalPhone(value, country ?? options.defaultCountry));
  apply('email', canonicalEmail);
  apply('firstName', (value) => canonicalName(value, 'first'));
  apply('lastName', (value) => canonicalName(value, 'last'));
  apply('dateOfBirth', (value) => canonicalDateOfBirth(value, now));
  return { customer: out as C, leftOut };
}
