/**
 * Phone numbers as people and backends in our markets (Kenya, the Philippines, Mexico, India, the UK, the US) write
 * them, each with the E.164 number it must become or the reason it is left out; and, over generated numbers of every
 * country, that an E.164 number written with any of these prefixes and separators reads back to itself.
 */
import fc from 'fast-check';
import { getCountries, getCountryCallingCode, getExampleNumber, type CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';
import { propertyRuns } from '@backbone/shared/testing';
import { asciiDigits, canonicalPhone, plainPhoneText } from './phone';

const SEND = 'send it with + and its country code';
const NO_COUNTRY = `a national number, or a length no country has, and no country to read it with: ${SEND}, or the customer's country`;

describe('phones to E.164', () => {
  it.each([
    // The trunk prefix written in brackets after the country code is not dialled from abroad.
    ['+44 (0)7700 900123', 'GB', '+447700900123'],
    ['+44(0)20 7946 0958', undefined, '+442079460958'],
    ['+254 (0)712 345 678', 'KE', '+254712345678'],
    ['+91 (0)98765 43210', 'IN', '+919876543210'],
    // A national number takes the customer's country.
    ['0712 345 678', 'KE', '+254712345678'],
    ['07700 900123', 'GB', '+447700900123'],
    ['(650) 555-1212', 'US', '+16505551212'],
    ['0917 123 4567', 'PH', '+639171234567'],
    ['98765 43210', 'IN', '+919876543210'],
    // Already international, whatever the punctuation.
    ['+63 917 123 4567', 'KE', '+639171234567'],
    // Dialled from the UK or India, where the international prefix is 00.
    ['00254712345678', 'GB', '+254712345678'],
    ['00 63 917 123 4567', 'IN', '+639171234567'],
    ['+1.650.555.1212', undefined, '+16505551212'],
    // Extensions are not part of the number.
    ['+44 7700 900123 ext. 12', 'GB', '+447700900123'],
    ['+1 650 555 1212 x123', undefined, '+16505551212'],
    // Digits of other scripts: Arabic-Indic, Devanagari, full-width.
    ['+٤٤ ٧٧٠٠ ٩٠٠١٢٣', undefined, '+447700900123'],
    ['+९१ ९८७६५ ४३२१०', undefined, '+919876543210'],
    ['０７７００ ９００１２３', 'GB', '+447700900123'],
    // Mexico's retired mobile "1" and 044 / 045 prefixes.
    ['+52 1 55 1234 5678', 'MX', '+525512345678'],
    ['044 55 1234 5678', 'MX', '+525512345678'],
    ['+52 55 1234 5678', undefined, '+525512345678'],
  ])('%s (country %s) -> %s', (phone, country, e164) => {
    expect(canonicalPhone(phone, country)).toEqual({ value: e164 });
    // Canonical values go through unchanged.
    expect(canonicalPhone(e164, country)).toEqual({ value: e164 });
  });

  it.each([
    ['12345', 'GB', '+44 12345 has the wrong length for its country'],
    ['+44 7700 9001234567', undefined, '+44 77009001234567 has the wrong length for its country'],
    ['0712 345 678', undefined, NO_COUNTRY],
    ['call me', 'GB', 'has no digits'],
  ])('leaves %s (country %s) out: %s', (phone, country, reason) => {
    expect(canonicalPhone(phone, country)).toEqual({ reason });
  });

  it('reads the digits of other scripts and leaves everything else alone', () => {
    expect(asciiDigits('٠١٢٣٤٥٦٧٨٩ ۰۱۲ ०१२ ০১২ ๐๑๒ ０１２ x')).toBe('0123456789 012 012 012 012 012 x');
    expect(asciiDigits('+44 7700')).toBe('+44 7700');
  });
});

describe('international numbers written without "+" (no country needed to read them)', () => {
  it.each([
    // The country code without "+", as Meta, WhatsApp and many backends store numbers.
    ['254712345678', undefined, '+254712345678'],
    ['447700900123', undefined, '+447700900123'],
    ['639171234567', undefined, '+639171234567'],
    // International call prefixes: 00 (most of the world), 011 (North America), extra zeros before a country code.
    ['00 254 712 345 678', undefined, '+254712345678'],
    ['00 1 997-362-3567', undefined, '+19973623567'],
    ['011 44 7700 900123', undefined, '+447700900123'],
    ['01144 7700 900123', undefined, '+447700900123'],
    ['000254712345678', undefined, '+254712345678'],
    ['0000 44 7700 900123', undefined, '+447700900123'],
    ['+00254140420105', undefined, '+254140420105'],
    ['+ 00 44 7700 900123', undefined, '+447700900123'],
    // A North American number written with its trunk 1 (which is also its country code).
    ['1-635-554-5705', undefined, '+16355545705'],
    ['1 (650) 555-1212', undefined, '+16505551212'],
    // With a country known, when the digits are no number of that country (and a valid one of theirs).
    ['254712345678', 'GB', '+254712345678'],
    ['011 44 7700 900123', 'GB', '+447700900123'],
    ['00 254 712 345 678', 'US', '+254712345678'],
    ['000254712345678', 'PH', '+254712345678'],
    // ... and as that country reads its own international prefix and country code.
    ['011 44 7700 900123', 'US', '+447700900123'],
    ['0011 44 7700 900123', 'AU', '+447700900123'],
    ['254712345678', 'KE', '+254712345678'],
    ['1-635-554-5705', 'US', '+16355545705'],
  ])('%s (country %s) -> %s', (phone, country, e164) => {
    expect(canonicalPhone(phone, country)).toEqual({ value: e164 });
  });

  it('prefers the national reading where the customer country makes one', () => {
    // 0115 is Nottingham's area code: in the UK this is a national number, not 011 (North America's prefix) + 5...
    expect(canonicalPhone('0115 496 0000', 'GB')).toEqual({ value: '+441154960000' });
    // Ten digits in the US are a US number, though +44 7700 9001 could be read into them by length alone.
    expect(canonicalPhone('4477009001', 'US')).toEqual({ value: '+14477009001' });
  });

  it.each([
    // Ten digits shaped as a North American number: national, whatever else they could be.
    [
      '6505551212',
      undefined,
      `could be +65 05551212 or a North American number without its country code (+1): ${SEND}, or the customer's country`,
    ],
    [
      '6505551212 x12',
      undefined,
      `could be +65 05551212 or a North American number without its country code (+1): ${SEND}, or the customer's country`,
    ],
    [
      '(650) 555-1212',
      undefined,
      `a North American number without its country code (+1), and no country to read it with: ${SEND}, or the customer's country`,
    ],
    [
      '212 555 0123',
      undefined,
      `a North American number without its country code (+1), and no country to read it with: ${SEND}, or the customer's country`,
    ],
    // A trunk 0 and no country: national.
    ['0115 496 0000', undefined, NO_COUNTRY],
    ['0917 123 4567', undefined, NO_COUNTRY],
    // Too short for any country after the prefix.
    ['0012345', undefined, NO_COUNTRY],
    // A digit too many for Kenya is not taken as a Russian number (+7 123 456 7890 is possible by length, not valid).
    ['71234567890', 'KE', '+254 71234567890 has the wrong length for its country'],
    ['+999 1234 5678', undefined, `no country calling code follows the "+": ${SEND}`],
  ])('leaves %s (country %s) out: %s', (phone, country, reason) => {
    expect(canonicalPhone(phone, country)).toEqual({ reason });
  });
});

/** The separators people and programs put between digit groups. */
const SEPARATORS = {
  space: ' ',
  'thin space': '\u2009',
  'narrow no-break space': '\u202F',
  'no-break space': '\u00A0',
  tab: '\t',
  'figure space': '\u2007',
  'ideographic space': '\u3000',
  hyphen: '-',
  'non-breaking hyphen': '\u2011',
  'en dash': '\u2013',
  'minus sign': '\u2212',
  dot: '.',
  'left-to-right mark': '\u200E',
  'zero-width space': '\u200B',
};

describe('separators', () => {
  it.each(Object.entries(SEPARATORS))('reads +44 7700 900123 written with a %s', (_name, separator) => {
    expect(canonicalPhone(['+44', '7700', '900123'].join(separator), undefined)).toEqual({ value: '+447700900123' });
    expect(canonicalPhone(['07700', '900123'].join(separator), 'GB')).toEqual({ value: '+447700900123' });
    expect(canonicalPhone(['00', '254', '712', '345', '678'].join(separator), undefined)).toEqual({
      value: '+254712345678',
    });
  });

  it('reads digits of other scripts between any separators, and a full-width plus and brackets', () => {
    expect(canonicalPhone('+٢٥٤\u2009٧١٢\u202F٣٤٥\u00A0٦٧٨', undefined)).toEqual({ value: '+254712345678' });
    expect(canonicalPhone('००\u3000९१\u3000९८७६५\u3000४३२१०', undefined)).toEqual({ value: '+919876543210' });
    expect(canonicalPhone('＋４４（０）７７００\u3000９００１２３', undefined)).toEqual({ value: '+447700900123' });
    // A number copied from a right-to-left page comes wrapped in bidirectional embeddings.
    expect(canonicalPhone('\u202A+44 7700 900123\u202C', undefined)).toEqual({ value: '+447700900123' });
  });

  it('leaves plain ASCII text as it is, but for runs of spaces', () => {
    expect(plainPhoneText('  +44   7700 900123 ')).toBe('+44 7700 900123');
    expect(plainPhoneText('+44\u20097700')).toBe('+44 7700');
  });
});

// One valid mobile number of every country libphonenumber knows (its own examples), as E.164.
const NUMBERS = getCountries()
  .map((country) => getExampleNumber(country, examples)?.number)
  .filter((n): n is NonNullable<typeof n> => n !== undefined);
const SCRIPT_ZEROS = [0x30, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0xff10];

/** The digits in one script, split into groups of 1-4 joined by one of the separators. */
const writtenDigits = (digits: string) =>
  fc
    .record({
      zero: fc.constantFrom(...SCRIPT_ZEROS),
      separator: fc.constantFrom(...Object.values(SEPARATORS)),
      groups: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: digits.length, maxLength: digits.length }),
    })
    .map(({ zero, separator, groups }) => {
      const script = [...digits].map((d) => String.fromCodePoint(zero + Number(d))).join('');
      const parts: string[] = [];
      for (let at = 0, i = 0; at < script.length; at += groups[i++]!) parts.push(script.slice(at, at + groups[i]!));
      return parts.join(separator);
    });

describe('any E.164 number, written as people write it', () => {
  const number = fc.constantFrom(...NUMBERS);

  it('reads back to itself after "+", 00 (with extra zeros) or 011, with any country known or none', () => {
    // A country known reads its own international prefix and national numbers first: "+" alone means the same in
    // every country.
    const prefixAndCountry = fc.oneof(
      fc.record({
        prefix: fc.constant('+'),
        country: fc.constantFrom<CountryCode | undefined>(undefined, 'GB', 'KE', 'PH', 'MX', 'IN', 'US'),
      }),
      fc.record({ prefix: fc.constantFrom('00', '000', '0000', '011', '+00'), country: fc.constant(undefined) }),
    );
    const written = number.chain((e164) =>
      fc.record({
        e164: fc.constant(e164),
        digits: writtenDigits(e164.slice(1)),
        gap: fc.constantFrom('', ...Object.values(SEPARATORS)),
        at: prefixAndCountry,
      }),
    );
    fc.assert(
      fc.property(written, ({ e164, digits, gap, at }) => {
        expect(canonicalPhone(`${at.prefix}${gap}${digits}`, at.country)).toEqual({ value: e164 });
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('reads back to itself as its country code and digits alone, but for ten digits North America could own', () => {
    const northAmericanShape = /^[2-9]\d{2}[2-9]\d{6}$/;
    fc.assert(
      fc.property(number, (e164) => {
        const digits = e164.slice(1);
        fc.pre(!northAmericanShape.test(digits));
        expect(canonicalPhone(digits, undefined)).toEqual({ value: e164 });
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('reads a country code of its own country written without "+" when the customer lives there', () => {
    // Countries whose example number is their own (not a calling code they share and another country leads).
    const own = getCountries().flatMap((country) => {
      const example = getExampleNumber(country, examples);
      return example && getCountryCallingCode(country) === example.countryCallingCode
        ? [{ country, e164: example.number }]
        : [];
    });
    fc.assert(
      fc.property(fc.constantFrom(...own), ({ country, e164 }) => {
        expect(canonicalPhone(e164.slice(1), country)).toEqual({ value: e164 });
        expect(canonicalPhone(`00${e164.slice(1)}`, undefined)).toEqual({ value: e164 });
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
