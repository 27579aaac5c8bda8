/**
 * The Cassandra store's TTL arithmetic, with an injected clock and a client that records the statements it is given
 * (Cassandra itself expiring them is the integration test's part): seconds until, nothing written once the time has
 * passed, the cleared flag's marker kept 400 days, and a fact's remaining TTL carried onto a device it is copied to.
 */
import { createCassandraDeviceStore, secondsUntil } from './cassandra-device-store';
import { recordingClient } from './cassandra-device-store.fixtures';
import type { FraudFlag } from '../domain/device-record';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const DAY_S = 86_400;
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000);

type Recorded = { query: string; params: unknown[] };

const ttlOf = (write: Recorded) => write.params[0];
/** The writes setting `column` (`name[` for one entry of a map column). */
const writesTo = (writes: Recorded[], column: string) => writes.filter((w) => w.query.includes(`SET ${column}`));

function flag(expiresInSeconds: number): FraudFlag {
  return { id: 'f1', reason: 'chargeback', raisedAt: at(-60), expiresAt: at(expiresInSeconds), resetProof: false };
}

describe('secondsUntil', () => {
  it('counts whole seconds from the given now, rounding down', () => {
    expect(secondsUntil(at(10.9), NOW)).toBe(10);
    expect(secondsUntil(at(0.4), NOW)).toBe(0);
    expect(secondsUntil(at(-1), NOW)).toBe(-1);
  });

  it('never asks for more than Cassandra’s largest TTL (20 years)', () => {
    expect(secondsUntil(at(40 * 365 * DAY_S), NOW)).toBe(630_720_000);
  });
});

describe('the Cassandra device store’s TTLs', () => {
  const store = (rows?: Record<string, Record<string, unknown>[]>) => {
    const recorded = recordingClient(rows);
    const stores = createCassandraDeviceStore(recorded.client, { clock: () => NOW, lastSeenDays: 400 });
    return { ...stores, writes: recorded.writes };
  };

  it('keeps an account in the window for what is left of the window, counted from the store’s clock', async () => {
    const { events, writes } = store();
    await events.recordSeen('d1', 'c1', at(-29 * DAY_S), { activity: false, windowDays: 30 });
    expect(writesTo(writes(), 'accounts_in_window[').map(ttlOf)).toEqual([DAY_S]);
  });

  it('writes no window entry for a sighting already outside the window (a TTL of 0 would keep it for ever)', async () => {
    const { events, writes } = store();
    await events.recordSeen('d1', 'c1', at(-30 * DAY_S), { activity: false, windowDays: 30 });
    await events.recordSeen('d1', 'c2', at(-31 * DAY_S), { activity: false, windowDays: 30 });
    expect(writesTo(writes(), 'accounts_in_window[')).toEqual([]);
  });

  it('keeps last activity for lastSeenDays whatever its age', async () => {
    const { events, writes } = store();
    await events.recordSeen('d1', 'c1', at(-31 * DAY_S), { activity: true, windowDays: 30 });
    expect(writesTo(writes(), 'last_seen[').map(ttlOf)).toEqual([400 * DAY_S]);
  });

  it('keeps a customer flag until it expires, on the customer and on each of their devices', async () => {
    const { events, writes } = store({ 'SELECT device_id FROM devices_by_customer': [{ device_id: 'd1' }] });
    await events.recordCustomerFact('c1', { kind: 'flag', flag: flag(3_600) }, NOW);
    expect(writesTo(writes(), 'value =').map(ttlOf)).toEqual([3_600]);
    expect(writesTo(writes(), 'customer_facts[').map(ttlOf)).toEqual([3_600]);
  });

  it('ignores a customer flag that expired before it arrived, and one expiring this very second', async () => {
    const { events, writes } = store({ 'SELECT device_id FROM devices_by_customer': [{ device_id: 'd1' }] });
    await events.recordCustomerFact('c1', { kind: 'flag', flag: flag(-5) }, NOW);
    await events.recordCustomerFact('c1', { kind: 'flag', flag: flag(0.5) }, NOW);
    expect(writes()).toEqual([]);
  });

  it('keeps a cleared flag’s marker 400 days and other facts for ever (TTL 0)', async () => {
    const { events, writes } = store();
    await events.recordCustomerFact('c1', { kind: 'flag-cleared', flagId: 'f1' }, NOW);
    await events.recordCustomerFact('c1', { kind: 'standing', standing: 'arrears' }, NOW);
    expect(writesTo(writes(), 'value =').map(ttlOf)).toEqual([400 * DAY_S, 0]);
  });

  it('keeps a device flag until it expires, a cleared one’s marker 400 days, and skips one already expired', async () => {
    const { events, writes } = store();
    await events.recordDeviceFlag('d1', 'f1', flag(7_200), NOW);
    await events.recordDeviceFlag('d1', 'f2', undefined, NOW);
    await events.recordDeviceFlag('d1', 'f3', flag(-1), NOW);
    expect(writesTo(writes(), 'device_flags[').map((w) => [w.params[2], ttlOf(w)])).toEqual([
      ['f1', 7_200],
      ['f2', 400 * DAY_S],
    ]);
  });

  it('copies each fact onto a newly claimed device with the TTL it has left and its own write time', async () => {
    const { decisions, writes } = store({
      'SELECT fact, value': [
        { fact: 'flag/f1', value: 'v1', written: 111, ttl: 90 },
        { fact: 'standing', value: 'good', written: 222, ttl: null },
      ],
    });
    await decisions.claim('d1', 'c1', undefined, NOW);
    expect(writesTo(writes(), 'customer_facts[').map((w) => [w.params[2], ttlOf(w), w.params[1]])).toEqual([
      ['c1/flag/f1', 90, 111],
      ['c1/standing', 0, 222],
    ]);
  });
});
