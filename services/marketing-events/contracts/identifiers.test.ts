/**
 * A corpus of identifiers as backends and forms in our markets (Kenya, the Philippines, Mexico, India, the UK, the
 * US) write them, each with the canonical value it must become or the reason it is left out.
 */
import {
  canonicalCountry,
  canonicalCustomer,
  looksPublished,
  canonicalDateOfBirth,
  canonicalEmail,
  canonicalName,
} from './identifiers';

const NOW = new Date('2026-11-30T12:00:00.000Z');

describe('countries to ISO 3166-1 alpha-2', () => {
  it.each([
    ['US', 'US'],
    [' us ', 'US'],
    ['gb', 'GB'],
    ['UK', 'GB'],
    ['uk', 'GB'],
    ['USA', 'US'],
    ['GBR', 'GB'],
    ['ken', 'KE'],
    ['United States', 'US'],
    ['United States of America', 'US'],
    ['united kingdom', 'GB'],
    ['Kenya', 'KE'],
    ['Philippines', 'PH'],
    ['México', 'MX'],
    ['Mexico', 'MX'],
    ['India', 'IN'],
    ['  United   Kingdom ', 'GB'],
  ])('%j -> %s', (country, code) => {
    expect(canonicalCountry(country)).toEqual({ value: code });
  });

  it.each(['XX', 'ZZZ', 'Britain', 'Narnia', ''])('leaves %j out, saying what to send', (country) => {
    expect(canonicalCountry(country)).toEqual({
      reason: `"${country}" is not a country: send an ISO 3166-1 alpha-2 code such as GB`,
    });
  });
});

describe('dates of birth to YYYY-MM-DD', () => {
  it.each([
    ['1997-02-16', '1997-02-16'],
    ['19970216', '1997-02-16'],
    ['1997/02/16', '1997-02-16'],
    ['1997.2.16', '1997-02-16'],
    ['1997-02-16T00:00:00.000Z', '1997-02-16'],
    ['1997-02-16T00:00:00Z', '1997-02-16'],
    ['19970216T000000Z', '1997-02-16'],
    ['1997-02-16 10:00:00', '1997-02-16'],
    // The date as written, not moved by its offset (in UTC these are the 17th and the 15th).
    ['1997-02-16T23:30:00-05:00', '1997-02-16'],
    ['1997-02-16T01:30:00+05:30', '1997-02-16'],
    ['1997-02-16 23:30 UTC', '1997-02-16'],
    // Unpadded month and day.
    ['1997-2-6', '1997-02-06'],
    ['1997-2-16', '1997-02-16'],
    ['1997-12-6T08:00:00Z', '1997-12-06'],
    ['16/02/1997', '1997-02-16'],
    ['16.02.1997', '1997-02-16'],
    ['16-02-1997', '1997-02-16'],
    ['02/16/1997', '1997-02-16'],
    ['05/05/1997', '1997-05-05'],
    ['16 Feb 1997', '1997-02-16'],
    ['16 February 1997', '1997-02-16'],
    ['February 16, 1997', '1997-02-16'],
    ['Feb. 16 1997', '1997-02-16'],
    // 18 today.
    ['2008-11-30', '2008-11-30'],
    ['1900-01-01', '1900-01-01'],
  ])('%s -> %s', (text, iso) => {
    expect(canonicalDateOfBirth(text, NOW)).toEqual({ value: iso });
  });

  it.each([
    ['03/04/1997', '"03/04/1997" could be day/month or month/day: send YYYY-MM-DD (1997-04-03 or 1997-03-04)'],
    ['1997-02-30', '"1997-02-30" is not a calendar date: send YYYY-MM-DD'],
    ['31/02/1997', '"31/02/1997" is not a calendar date: send YYYY-MM-DD'],
    ['16 Foo 1997', '"16 Foo 1997" is not a calendar date: send YYYY-MM-DD'],
    ['16/02/97', '"16/02/97" is not a date: send YYYY-MM-DD'],
    // One separator throughout, and a time only after a whole date.
    ['1997-02/16', '"1997-02/16" is not a date: send YYYY-MM-DD'],
    ['1997-2-6T', '"1997-2-6T" is not a date: send YYYY-MM-DD'],
    ['1997216', '"1997216" is not a date: send YYYY-MM-DD'],
    ['yesterday', '"yesterday" is not a date: send YYYY-MM-DD'],
    ['0001-01-01', '0001-01-01 is before 1900'],
    ['1899-12-31', '1899-12-31 is before 1900'],
    ['2099-01-01', '2099-01-01 is in the future'],
    ['2008-12-01', '2008-12-01 is of someone younger than 18'],
    ['2020-05-05', '2020-05-05 is of someone younger than 18'],
  ])('leaves %s out: %s', (text, reason) => {
    expect(canonicalDateOfBirth(text, NOW)).toEqual({ reason });
  });
});

describe('names', () => {
  it.each([
    ['Mary', 'first', 'Mary'],
    ['  Mary  Ann ', 'first', 'Mary Ann'],
    // Invisible characters: zero-width space and joiner, soft hyphen, byte order mark, variation selector.
    ['Ma\u200Bry', 'first', 'Mary'],
    ['Jo\u00ADhn', 'first', 'John'],
    ['\uFEFFAmara', 'first', 'Amara'],
    ['Ana\u200D', 'first', 'Ana'],
    ['Rosa\uFE0F', 'first', 'Rosa'],
    // Decomposed accents are composed.
    ['Jose\u0301', 'first', 'José'],
    // Titles before a first name, suffixes after a last name.
    ['Dr. John', 'first', 'John'],
    ['Mrs Mary', 'first', 'Mary'],
    ['Engr. Paolo', 'first', 'Paolo'],
    ['Atty. Maria', 'first', 'Maria'],
    ['Sra. Lucía', 'first', 'Lucía'],
    ['Shri Rajesh', 'first', 'Rajesh'],
    ['Smith Jr.', 'last', 'Smith'],
    ['Gates III', 'last', 'Gates'],
    ['Doe, PhD', 'last', 'Doe'],
    ['Otieno', 'last', 'Otieno'],
    // Only while a name is left: alone, a title may be the name.
    ['Sir', 'first', 'Sir'],
    ['Junior', 'last', 'Junior'],
    // A suffix word is a suffix only after a last name, a title only before a first name.
    ['Sr. Mario', 'first', 'Mario'],
    ['Mario Sr', 'last', 'Mario'],
    ['Dr Who', 'last', 'Dr Who'],
  ] as const)('%j (%s name) -> %j', (name, part, value) => {
    expect(canonicalName(name, part)).toEqual({ value });
  });

  it.each(['', '   ', '\u200B\u200D', '...', '🙂'])('leaves %j out: it has no letters', (name) => {
    expect(canonicalName(name, 'first')).toEqual({ reason: 'has no letters' });
  });
});

describe('emails', () => {
  it.each([
    ['Alex@Example.com', 'alex@example.com'],
    ['  alex@example.com  ', 'alex@example.com'],
    ['mailto:alex@example.com', 'alex@example.com'],
    ['MAILTO:Alex@Example.com', 'alex@example.com'],
    ['<alex@example.com>', 'alex@example.com'],
    ['"alex@example.com"', 'alex@example.com'],
    ["'alex@example.com'", 'alex@example.com'],
    ['Alex Morgan <alex@example.com>', 'alex@example.com'],
    ['"Morgan, Alex" <alex@example.com>', 'alex@example.com'],
    ['alex@example.com.', 'alex@example.com'],
    // Decomposed Unicode is composed: the same address hashes the same.
    ['jose\u0301@example.com', 'josé@example.com'],
    ['alex\u200B@example.com', 'alex@example.com'],
  ])('%j -> %s', (email, value) => {
    expect(canonicalEmail(email)).toEqual({ value });
  });

  it.each(['alex', 'alex@', '@example.com', 'alex@example', 'alex @example.com', 'a@b@c.com', ''])(
    'leaves %j out',
    (email) => {
      expect(canonicalEmail(email)).toEqual({ reason: 'not an email address (name@domain.tld)' });
    },
  );
});

describe('canonicalCustomer', () => {
  it('makes every identifier canonical, reading a national phone with the customer country', () => {
    const { customer, leftOut } = canonicalCustomer(
      {
        customerId: 'c-1',
        email: 'Alex Morgan <Alex@Example.com>',
        phone: '0712 345 678',
        firstName: 'Dr. Alex',
        lastName: 'Morgan Jr.',
        dateOfBirth: '16/02/1997',
        country: 'Kenya',
      },
      { now: NOW },
    );
    expect(customer).toEqual({
      customerId: 'c-1',
      email: 'alex@example.com',
      phone: '+254712345678',
      firstName: 'Alex',
      lastName: 'Morgan',
      dateOfBirth: '1997-02-16',
      country: 'KE',
    });
    expect(leftOut).toEqual([]);
  });

  it('leaves out what cannot be made canonical, each with its reason, and keeps the rest', () => {
    const { customer, leftOut } = canonicalCustomer(
      {
        customerId: 'c-2',
        email: 'not an email',
        phone: '0712 345 678',
        firstName: 'Amara',
        dateOfBirth: '03/04/1997',
        country: 'Narnia',
      },
      { now: NOW },
    );
    expect(customer).toEqual({ customerId: 'c-2', firstName: 'Amara' });
    expect(leftOut).toEqual([
      { field: 'customer.country', reason: '"Narnia" is not a country: send an ISO 3166-1 alpha-2 code such as GB' },
      {
        field: 'customer.phone',
        reason:
          "a national number, or a length no country has, and no country to read it with: send it with + and its country code, or the customer's country",
      },
      { field: 'customer.email', reason: 'not an email address (name@domain.tld)' },
      {
        field: 'customer.dateOfBirth',
        reason: '"03/04/1997" could be day/month or month/day: send YYYY-MM-DD (1997-04-03 or 1997-03-04)',
      },
    ]);
  });

  it('recognises what publishMarketingEvents wrote without parsing it again, and treats anything else in full', () => {
    const published = {
      customerId: 'c',
      email: 'alex@example.com',
      phone: '+4412345',
      firstName: 'Alex',
      lastName: "O'Brien",
      dateOfBirth: '1990-04-01',
      country: 'GB',
    };
    // +4412345 is too short for the UK: taken as it is only because it was published (and so checked) already.
    expect(canonicalCustomer(published, { now: NOW, published: true })).toEqual({ customer: published, leftOut: [] });
    expect(canonicalCustomer(published, { now: NOW }).leftOut.map((l) => l.field)).toEqual(['customer.phone']);
    const otherwise = {
      customerId: 'c',
      email: 'Alex@Example.com',
      phone: '+44 (0)7700 900123',
      firstName: 'Dr Alex',
      lastName: 'Brown Jr',
      dateOfBirth: '2015-04-01',
      country: 'UK',
    };
    expect(canonicalCustomer(otherwise, { now: NOW, published: true })).toEqual({
      customer: {
        customerId: 'c',
        email: 'alex@example.com',
        phone: '+447700900123',
        firstName: 'Alex',
        lastName: 'Brown',
        country: 'GB',
      },
      leftOut: [{ field: 'customer.dateOfBirth', reason: '2015-04-01 is of someone younger than 18' }],
    });
  });

  it('takes a published birth date as it is only when plainly adult by the clock it is asked with, in any order', () => {
    const born2008 = { customerId: 'c', dateOfBirth: '2008-06-01', country: 'GB' };
    const on = (iso: string) => new Date(iso);
    // In 2026 someone born in mid-2008 may still be 17: not plainly adult, so checked in full (and left out).
    expect(looksPublished(born2008, on('2026-12-31T23:59:59Z'))).toBe(false);
    expect(looksPublished(born2008, on('2027-01-01T00:00:00Z'))).toBe(true);
    // A clock set back (a test, a replay) is answered for its own year, not the last one asked.
    expect(looksPublished(born2008, on('2026-06-01T00:00:00Z'))).toBe(false);
    expect(looksPublished(born2008, on('2030-06-01T00:00:00Z'))).toBe(true);
    expect(looksPublished({ ...born2008, country: 'UK' }, on('2030-06-01T00:00:00Z'))).toBe(false);
  });

  it("reads a national phone with the backend's default country when the customer has none, never over the customer's", () => {
    const read = (customer: { phone: string; country?: string }) =>
      canonicalCustomer({ customerId: 'c', ...customer }, { now: NOW, defaultCountry: 'KE' }).customer.phone;
    expect(read({ phone: '0712 345 678' })).toBe('+254712345678');
    expect(read({ phone: '0917 123 4567', country: 'PH' })).toBe('+639171234567');
    // A country that cannot be read is left out, and the market's is used for the phone.
    expect(read({ phone: '0712 345 678', country: 'Narnia' })).toBe('+254712345678');
    expect(canonicalCustomer({ customerId: 'c', phone: '0712 345 678' }, { now: NOW }).customer.phone).toBeUndefined();
  });

  it('says so when an identifier is not text', () => {
    const { leftOut } = canonicalCustomer({ customerId: 'c', phone: 7700900123 as unknown as string }, { now: NOW });
    expect(leftOut).toEqual([{ field: 'customer.phone', reason: 'is not text' }]);
  });
});

describe('canonicalCustomer and the contract', () => {
  it("leaves out a canonical value the contract's limits would refuse, with the contract's words", () => {
    const { customer, leftOut } = canonicalCustomer({ customerId: 'c', firstName: 'A'.repeat(101) }, { now: NOW });
    expect(customer).toEqual({ customerId: 'c' });
    expect(leftOut).toEqual([
      {
        field: 'customer.firstName',
        reason: expect.stringMatching(/Too big: expected string to have <=100 characters/),
      },
    ]);
  });
});
