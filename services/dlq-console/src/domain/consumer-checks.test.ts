import type { DestinationStatus } from '@backbone/marketing-events/contracts';
import { deliveredEverywhereItFailed, marketingEventIdOf, readLetter, wouldFailBecause } from './consumer-checks';
import type { DeadLetter } from './dead-letters';
import { failedAt, letter, loanApprovedBody } from './dead-letters.fixtures';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const REFUSED = failedAt(['meta', '400/100', 'Invalid parameter: user_data.ph is not a valid phone number']);

const dead = (failure: Partial<DeadLetter> = REFUSED, occurredAt = '2026-11-30T11:00:00.000Z') =>
  readLetter(letter(1, { ...failure, body: loanApprovedBody({ occurredAt }) }));

const statuses = (...list: DestinationStatus[]) => new Map(list.map((s) => [s.destination, s]));
const at = (iso: string) => Date.parse(iso);

describe('would the consumer take it now?', () => {
  it('no, when it does not meet its contract (the contract’s own words)', () => {
    const read = readLetter(letter(1, { body: '{"id":"x"}' }));
    expect(wouldFailBecause(read, { now: NOW, statuses: new Map() })).toMatch(/not a valid envelope/);
  });

  it('no, when the platform it failed at would refuse it now: too old for Meta after a week in the DLQ', () => {
    const read = dead(REFUSED, '2026-11-22T11:00:00.000Z');
    expect(wouldFailBecause(read, { now: NOW, statuses: new Map() })).toBe(
      'meta: the event is 8.0 days old; Meta accepts events at most 7 days old',
    );
    // The same age does not matter to a platform it did not fail at.
    const atWebhook = dead(failedAt(['webhook', '410', 'gone']), '2026-11-22T11:00:00.000Z');
    expect(wouldFailBecause(atWebhook, { now: NOW, statuses: new Map() })).toBeUndefined();
  });

  it('no, when the platform’s latest answer is the same failure and it has accepted nothing since', () => {
    const board = statuses({
      destination: 'meta',
      acceptedAt: at('2026-11-30T10:00:00Z'),
      failedAt: at('2026-11-30T11:59:00Z'),
      failure: 'meta answered 400 (code 100): Invalid parameter: user_data.ph is not a valid phone number',
    });
    expect(wouldFailBecause(dead(), { now: NOW, statuses: board })).toBe(
      'meta still fails this way (its latest answer, at 2026-11-30T11:59:00.000Z; nothing accepted since ' +
        '2026-11-30T10:00:00.000Z): meta answered 400 (code 100): Invalid parameter: user_data.ph is not a valid phone number',
    );
  });

  it('yes, as far as can be told, when the platform accepted events after its latest failure, or fails another way', () => {
    const failure = 'meta answered 400 (code 100): Invalid parameter: user_data.ph is not a valid phone number';
    const accepting = statuses({
      destination: 'meta',
      acceptedAt: at('2026-11-30T11:59:30Z'),
      failedAt: at('2026-11-30T11:59:00Z'),
      failure,
    });
    expect(wouldFailBecause(dead(), { now: NOW, statuses: accepting })).toBeUndefined();
    const otherwise = statuses({
      destination: 'meta',
      failedAt: at('2026-11-30T11:59:00Z'),
      failure: 'meta answered 503',
    });
    expect(wouldFailBecause(dead(), { now: NOW, statuses: otherwise })).toBeUndefined();
    // Accepted and refused in the same batch (one bad event among good ones): no claim either way.
    const both = statuses({
      destination: 'meta',
      acceptedAt: at('2026-11-30T11:59:00Z'),
      failedAt: at('2026-11-30T11:59:00Z'),
      failure,
    });
    expect(wouldFailBecause(dead(), { now: NOW, statuses: both })).toBeUndefined();
  });
});

describe('delivered already?', () => {
  it('when the ledger has the event at every platform it failed at', () => {
    const read = dead(failedAt(['meta', '400', 'x'], ['ga4', '500', 'y']));
    expect(marketingEventIdOf(read)).toBe('LoanApproved:l-1');
    expect(deliveredEverywhereItFailed(read, new Set(['meta', 'ga4', 'webhook']))).toBe(true);
    expect(deliveredEverywhereItFailed(read, new Set(['meta']))).toBe(false);
    expect(deliveredEverywhereItFailed(read, undefined)).toBe(false);
  });

  it('never for a failure that names no platform (an invalid message), nor for a message that is no marketing event', () => {
    const invalid = readLetter(
      letter(1, { reason: 'InvalidMessageError: data.currency: invalid', destinations: [], body: '{"id":"x"}' }),
    );
    expect(deliveredEverywhereItFailed(invalid, new Set(['meta']))).toBe(false);
    expect(marketingEventIdOf(invalid)).toBeUndefined();
  });
});
