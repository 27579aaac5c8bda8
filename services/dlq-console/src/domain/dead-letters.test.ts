import {
  describeFilter,
  failedDestinations,
  groupDeadLetters,
  matchesFilter,
  MAX_REASON_NORMALISED,
  normaliseReason,
} from './dead-letters';
import { failedAt, letter, loanApprovedBody } from './dead-letters.fixtures';

describe('reasons', () => {
  it('groups the same cause across events: ids, refs, phones, emails, times, amounts and quoted text taken out', () => {
    const a = normaliseReason(
      'meta answered 400 (code 100): invalid phone +447700900123 for jane@example.com, ref 0a1b2c3d4e5f at 2026-11-30T12:00:01.123Z, 312.40 GBP, "Jane"',
    );
    const b = normaliseReason(
      'meta answered 400 (code 100): invalid phone +33 6 12 34 56 78 for bob.smith+x@mail.co.uk, ref ffeeddccbbaa at 2026-12-01T01:02:03Z, 5.00 GBP, "Bob"',
    );
    expect(a).toBe(b);
    expect(a).toBe('meta answered 400 (code 100): invalid phone <number> for <email>, ref … at <time>, <n> GBP, "…"');
  });

  it('normalises a bounded part of a reason of any length (1 MB of digits and spaces included)', () => {
    const huge = `meta answered 400: ${'1 '.repeat(500_000)}`;
    const normalised = normaliseReason(huge);
    expect(normalised.length).toBeLessThanOrEqual(MAX_REASON_NORMALISED);
    expect(normalised.startsWith('meta answered 400: <number>')).toBe(true);
    expect(normaliseReason(huge + 'tail')).toBe(normalised);
  });

  it('keeps what tells causes apart: statuses, error codes, words', () => {
    expect(normaliseReason('meta answered 400 (code 100): x')).not.toBe(
      normaliseReason('meta answered 500 (code 2): x'),
    );
    expect(normaliseReason('ga4 answered 400: bad')).not.toBe(normaliseReason('meta answered 400: bad'));
    expect(normaliseReason('id 3f2b8c1e-9d4a-4f6e-8b1a-2c3d4e5f6a7b and 9f8e7d6c5b4a')).toBe('id <id> and <id>');
  });

  it('reads the destinations a dead letter failed at from its recorded failures, once each and in order', () => {
    const failures = (...names: string[]) => ({
      destinations: names.map((destination) => ({ destination, code: '400', message: 'refused' })),
    });
    expect(failedDestinations(failures('meta', 'ga4', 'meta'))).toEqual(['meta', 'ga4']);
    expect(failedDestinations(failures())).toEqual([]);
    // An entry indexed before destinations were recorded has none; its reason is never read for them.
    expect(failedDestinations({} as { destinations: [] })).toEqual([]);
    const quoted = { ...failures(), reason: 'meta answered 400: x' };
    expect(failedDestinations(quoted)).toEqual([]);
  });
});

describe('groups', () => {
  it('counts by normalised reason, destination and type, largest first, with first and last seen and a sample', () => {
    const letters = [
      ...Array.from({ length: 4 }, (_, n) => letter(n)),
      letter(10, { ...failedAt(['ga4', '500', 'internal']), kind: 'retries-exhausted' }),
      letter(11, { messageType: 'RegistrationCompleted' }),
    ];
    const groups = groupDeadLetters(letters, 2);
    expect(groups.map((g) => [g.count, g.destination, g.messageType])).toEqual([
      [4, 'meta', 'LoanApproved'],
      [1, 'ga4', 'LoanApproved'],
      [1, 'meta', 'RegistrationCompleted'],
    ]);
    expect(groups[0]).toMatchObject({
      firstSeen: letters[0]!.failedAt,
      lastSeen: letters[3]!.failedAt,
      sample: ['m-0', 'm-1'],
      kinds: ['permanent'],
      id: expect.stringMatching(/^[0-9a-f]{8}$/),
    });
    expect(new Set(groups.map((g) => g.id)).size).toBe(3);
  });

  it('selects by a group id or key, and by every other filter field', () => {
    const letters = [letter(1), letter(2, { ...failedAt(['ga4', '500', 'x']), kind: 'retries-exhausted' })];
    const meta = groupDeadLetters(letters).find((g) => g.destination === 'meta');
    const now = Date.parse(letters[1]!.failedAt) + 60_000;
    const pick = (filter: Parameters<typeof matchesFilter>[1]) =>
      letters.filter((l) => matchesFilter(l, filter, now)).map((l) => l.messageId);
    expect(pick({ group: meta!.id })).toEqual(['m-1']);
    expect(pick({ group: meta!.key })).toEqual(['m-1']);
    expect(pick({ destination: 'GA4' })).toEqual(['m-2']);
    expect(pick({ kind: 'permanent' })).toEqual(['m-1']);
    expect(pick({ reason: 'INVALID PHONE' })).toEqual(['m-1']);
    expect(pick({ ids: ['m-2'] })).toEqual(['m-2']);
    expect(pick({ search: '"x-9"' })).toEqual(['m-1', 'm-2']);
    expect(pick({ messageType: 'RegistrationCompleted' })).toEqual([]);
    expect(pick({ olderThanMs: 60_500 })).toEqual(['m-1']);
    expect(pick({ newerThanMs: 60_500 })).toEqual(['m-2']);
    expect(pick({})).toEqual(['m-1', 'm-2']);
  });

  it('searches and matches reasons in what the caller may see, unless they may unmask (an oracle otherwise)', () => {
    const letters = [letter(1, { body: loanApprovedBody({ phone: '+447700900123' }) }), letter(2)];
    const pick = (filter: Parameters<typeof matchesFilter>[1], raw = false) =>
      letters.filter((l) => matchesFilter(l, filter, Date.now(), { raw })).map((l) => l.messageId);
    // A viewer guessing a phone number digit by digit finds nothing, whatever the guess.
    expect(pick({ search: '"phone":"+4477' })).toEqual([]);
    expect(pick({ search: '"phone":"+9999' })).toEqual(['m-1']);
    expect(pick({ search: 'jane@' })).toEqual([]);
    expect(pick({ reason: '+4477009' })).toEqual([]);
    expect(pick({ reason: 'invalid phone <number>' })).toEqual(['m-1', 'm-2']);
    // Someone allowed to unmask (who gave a reason: the console checks and audits it) searches what is there.
    expect(pick({ search: '"phone":"+4477' }, true)).toEqual(['m-1']);
    expect(pick({ reason: '+447700900002' }, true)).toEqual(['m-2']);
  });

  it('says what a filter selects without repeating a body search', () => {
    expect(describeFilter({})).toBe('every message');
    expect(describeFilter({ destination: 'meta', olderThanMs: 1_800_000, ids: ['a'], search: 'jane@x.com' })).toBe(
      'destination meta, older than 30 min, 1 chosen message, a body search',
    );
  });
});
