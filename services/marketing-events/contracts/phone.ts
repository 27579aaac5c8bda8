import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
} from 'libphonenumber-js/min';

/** A canonical value, or why there is none. */
export type Verdict = { value: string } | { reason: string };

// ---- digits of any script, separators of any kind ----

// The zero of each script whose digits people type phone numbers in (Unicode Nd blocks of ten): Arabic-Indic,
// Extended Arabic-Indic (Persian, Urdu), Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
// Malayalam, Thai, Lao, Myanmar, Khmer, full-width.
const DIGIT_ZEROS = [
  0x660, 0x6f0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xe50, 0xed0, 0x1040, 0x17e0, 0xff10,
];

/** Digits of the scripts above as ASCII digits; anything else as it is. */
export function asciiDigits(text: string): string {
  // Stryker disable next-line Regex: equivalent, the fast path and the loop agree on ASCII text.
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code < z + 10);
    out += zero === undefined ? char : String.fromCharCode(48 + code - zero);
  }
  return out;
}

// Bidirectional marks and embeddings (a number copied from a right-to-left page or a phone's contacts comes wrapped
// in them), zero-width spaces and joiners, the byte order mark: format characters (Cf), never part of a number.
const FORMAT_CHARACTERS = /\p{Cf}/gu;
// Every kind of dash and the minus sign, as people and word processors put them between digit groups.
const DASHES = /[\p{Pd}\u2212]/gu;

/**
 * The number as ASCII text: digits of any script, a full-width plus or bracket, and every separator people and
 * programs put between digit groups (no-break, thin, narrow no-break, figure and ideographic spaces, tabs, dashes,
 * bidirectional marks) as the plain one, so that the readings below see `+44 7700 900123` however it was typed.
 */
export function plainPhoneText(phone: string): string {
  const ascii = /^[\x20-\x7e]*$/.test(phone);
  const text = ascii
    ? phone
    : asciiDigits(phone)
        // Compatibility forms: full-width + ( ) and the spaces above become their ASCII selves.
        .normalize('NFKC')
        .replace(FORMAT_CHARACTERS, '')
        .replace(DASHES, '-');
  return (
    text
      .replace(/\s+/g, ' ')
      .trim()
      // "+44 (0)7700": the national trunk prefix, written for callers inside the country, is not dialled from abroad.
      .replace(/^(\+\d{1,3})[\s.-]*\(0\)/, '$1 ')
      // "+00254 ...": zeros between the plus and the country code (an international prefix typed after the plus).
      .replace(/^\+[\s.-]*(?:0[\s.-]*)+/, '+')
  );
}

// ---- readings ----

/**
 * The international forms of a number written without "+", each matching what stands for the "+". They are told
 * apart by their first digits, so at most one applies to a text.
 */
const INTERNATIONAL_FORMS: readonly { form: RegExp; prefixWritten: boolean }[] = [
  // 00, the international prefix of most of the world (the ITU's recommendation), with any extra zeros typed before
  // it (000 in Kenya and Tanzania, 0000 by mistake): no country calling code starts with 0.
  { form: /^(?:0[\s.-]*){2,}(?=[1-9])/, prefixWritten: true },
  // 011, North America's international prefix (US backends write numbers dialled from there).
  { form: /^0[\s.-]*1[\s.-]*1[\s.-]*(?=[1-9])/, prefixWritten: true },
  // The country calling code without its "+" (254712345678, 447700900123), and North American numbers written with
  // their leading 1 (1-635-554-5705), which is both the trunk prefix and the country code.
  { form: /^(?=[1-9])/, prefixWritten: false },
];

// A North American number without its country code, as US backends store them: NXX NXX XXXX (area code and exchange
// start with 2-9), perhaps an extension after it. Written so, with no country known, it is a national number whatever
// else its digits could mean.
const NORTH_AMERICAN_NATIONAL = /^\(?[2-9]\d{2}\)?[\s./-]*[2-9]\d{2}[\s./-]*\d{4}(?![\s./-]*\d)/;

function read(text: string, country?: CountryCode): PhoneNumber | undefined {
  const parsed = parsePhoneNumberFromString(text, country);
  if (parsed && !parsed.isPossible() && parsed.country === 'MX') return mexicanLegacy(parsed.nationalNumber) ?? parsed;
  return parsed;
}

/**
 * Mexican numbers are still written with the mobile "1" after +52, or the 044 / 045 prefixes, both retired in
 * 2019: the ten digits that follow are the number.
 */
function mexicanLegacy(national: string): PhoneNumber | undefined {
  const ten = /^(?:1|044|045)(\d{10})$/.exec(national)?.[1];
  return ten ? parsePhoneNumberFromString(`+52${ten}`) : undefined;
}

const spaced = (number: PhoneNumber): string => `+${number.countryCallingCode} ${number.nationalNumber}`;

const SEND_INTERNATIONAL = 'send it with + and its country code';

/**
 * E.164 with libphonenumber-js, from a number as people and backends write it:
 * - international with "+": taken when its length is possible for its country code;
 * - otherwise read with the customer's country (national: its trunk prefix, that country's own international prefix
 *   and country code), and as an international number written without "+": after `00` (with any extra zeros) or
 *   `011`, or the country code alone (`254712345678`, `1-635-554-5705`). A valid number of the customer's country
 *   comes first, then a confident international reading, then a national number of a possible length;
 * - an extension is dropped; digits of other scripts and any separators are read (plainPhoneText).
 * What cannot be read with confidence is left out with the reason: a national number with no country, ten digits that
 * are a North American number as much as any other reading, a length no country has.
 */
export function canonicalPhone(phone: string, country: string | undefined): Verdict {
  const text = plainPhoneText(phone);
  if (!/\d/.test(text)) return { reason: 'has no digits' };
  const region = country as CountryCode | undefined;
  if (text.startsWith('+')) {
    const number = read(text, region);
    if (!number) return { reason: `no country calling code follows the "+": ${SEND_INTERNATIONAL}` };
    return number.isPossible() ? { value: number.number } : { reason: wrongLength(number) };
  }
  // Without "+" or a country, libphonenumber has nothing to read a number with: not worth its parse.
  const national = region ? read(text, region) : undefined;
  const international = INTERNATIONAL_FORMS.find(({ form }) => form.test(text));
  // Written in no international form (a trunk 0, a bracket): national, if anything.
  if (!international) return national?.isPossible() ? { value: national.number } : refused(text, region, national);
  if (national?.isPossible() && national.isValid() && !startsWithCallingCode(text, region!))
    return { value: national.number };
  const reading = read(text.replace(international.form, '+'));
  // Digits read as another country's with nothing written to say so (no "+", no prefix), where the customer's
  // country is known, are as likely a mistyped national number (a digit too many): they must be a valid number
  // there, not only of a possible length. With no country known the digits are all there is to go by, and backends
  // store international numbers without "+" (Meta's and WhatsApp's own form).
  const confident =
    reading?.isPossible() && (international.prefixWritten || !region || reading.isValid()) ? reading : undefined;
  if (confident && !region && NORTH_AMERICAN_NATIONAL.test(text))
    return {
      reason: `could be ${spaced(confident)} or a North American number without its country code (+1): ${SEND_INTERNATIONAL}, or the customer's country`,
    };
  if (confident) return { value: confident.number };
  // A national number of a possible length that no pattern of its country knows (a new range, a fictional one).
  return national?.isPossible() ? { value: national.number } : refused(text, region, national);
}

function refused(text: string, region: CountryCode | undefined, national: PhoneNumber | undefined): Verdict {
  if (national) return { reason: wrongLength(national) };
  if (!region && NORTH_AMERICAN_NATIONAL.test(text))
    return {
      reason: `a North American number without its country code (+1), and no country to read it with: ${SEND_INTERNATIONAL}, or the customer's country`,
    };
  return {
    reason: region
      ? `not a phone number of ${region}, nor one with a country code: ${SEND_INTERNATIONAL}`
      : `a national number, or a length no country has, and no country to read it with: ${SEND_INTERNATIONAL}, or the customer's country`,
  };
}

/**
 * Whether a number written without "+" starts with its country's own calling code: then where it reads as a valid
 * number both with and without it (a country of many lengths: +383 383 4320 1234 or +383 4320 1234), the code was
 * written, not the start of a national number.
 */
function startsWithCallingCode(text: string, region: CountryCode): boolean {
  return /^[1-9]/.test(text) && isSupportedCountry(region) && digitsOf(text).startsWith(getCountryCallingCode(region));
}

const digitsOf = (text: string): string => text.replace(/\D/g, '');

const wrongLength = (number: PhoneNumber): string => `${spaced(number)} has the wrong length for its country`;
