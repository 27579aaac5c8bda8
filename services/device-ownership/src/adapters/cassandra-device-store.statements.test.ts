/**
 * What the Cassandra store asks of Cassandra, statement by statement, with a client that records every call: rows
 * read into a device's record, one device's writes as one unlogged batch (or one statement), claims as lightweight
 * transactions with what follows a claim, history backfilled 100 rows a batch. That the CQL itself does what it says
 * is the integration test's part (device-ownership.int.test.ts, on Cassandra).
 */
import { types } from 'cassandra-driver';
import { createCassandraDeviceStore } from './cassandra-device-store';
import { recordingClient, type Call } from './cassandra-device-store.fixtures';

const AT = new Date('2026-03-01T12:00:00.000Z');
const MICROS = types.Long.fromNumber(AT.getTime() * 1000);

const firstWords = (query: string) => query.split(' ').slice(0, 4).join(' ');
const shapes = (calls: Call[]) =>
  calls.map((c) =>
    c.kind === 'batch' ? ['batch', c.statements!.map((s) => firstWords(s.query))] : firstWords(c.query),
  );

describe('reading a device', () => {
  it('reads one row and makes the record of it, maps that are empty included', async () => {
    const { client, calls } = recordingClient({
      'SELECT owner_id, owner_since': [
        {
          owner_id: 'c1',
          owner_since: AT,
          platform: 'android',
          last_reset_at: AT,
          reset_proof_flag_set: true,
          reset_proof_flag_written_at: AT,
          last_seen: { c1: AT },
          accounts_in_window: null,
          customer_facts: { 'c1/standing': 'arrears' },
          device_flags: null,
        },
      ],
    });
    const record = await createCassandraDeviceStore(client).decisions.read('d1');
    expect(calls).toMatchObject([{ params: ['d1'], options: { prepare: true } }]);
    expect(record).toMatchObject({
      deviceId: 'd1',
      owner: { customerId: 'c1', since: AT },
      platform: 'android',
      lastResetAt: AT,
      resetProofFlag: { set: true, writtenAt: AT },
    });
    expect([...record.lastSeen]).toEqual([['c1', AT]]);
    expect(record.accountsInWindow.size).toBe(0);
    expect(record.standings.get('c1')).toMatchObject({ inArrears: true });
    expect(record.deviceFlags).toEqual([]);
  });

  it('reads a row without owner, platform, reset or marker as just that, and no row as a free device', async () => {
    const bare = {
      owner_id: null,
      platform: null,
      last_reset_at: null,
      reset_proof_flag_set: false,
      reset_proof_flag_written_at: AT,
      last_seen: null,
      accounts_in_window: { c2: AT },
      customer_facts: null,
      device_flags: null,
    };
    const withRow = await createCassandraDeviceStore(recordingClient({ SELECT: [bare] }).client).decisions.read('d1');
    expect(withRow.owner).toBeUndefined();
    expect(withRow.platform).toBeUndefined();
    expect(withRow.lastResetAt).toBeUndefined();
    expect(withRow.resetProofFlag).toEqual({ set: false, writtenAt: AT });
    expect([...withRow.accountsInWindow.keys()]).toEqual(['c2']);
    const free = await createCassandraDeviceStore(recordingClient().client).decisions.read('d2');
    expect(free).toEqual({
      deviceId: 'd2',
      lastSeen: new Map(),
      accountsInWindow: new Map(),
      standings: new Map(),
      deviceFlags: [],
    });
  });
});

describe('writing a device', () => {
  it('writes an install alone, or with the reset-proof marker as one unlogged batch, at the event’s time in µs', async () => {
    const { client, calls } = recordingClient();
    const rows: number[] = [];
    const { events } = createCassandraDeviceStore(client, { onRowsWritten: (n) => rows.push(n) });
    await events.recordInstall('d1', { platform: 'ios', installId: 'i1' }, AT);
    await events.recordInstall(
      'd1',
      { platform: 'ios', installId: 'i2', resetProofFlag: { set: true, writtenAt: AT } },
      AT,
    );
    expect(calls[0]).toMatchObject({
      kind: 'execute',
      params: [MICROS, 'ios', 'i1', 'd1'],
      options: { prepare: true },
    });
    expect(calls[1]).toMatchObject({ kind: 'batch', options: { prepare: true, logged: false } });
    expect(calls[1]!.statements!.map((s) => s.params)).toEqual([
      [MICROS, 'ios', 'i2', 'd1'],
      [MICROS, true, AT, 'd1'],
    ]);
    expect(rows).toEqual([1, 1]);
  });

  it('writes a reset with or without a new install id, and with the marker when the device gave one', async () => {
    const { client, calls } = recordingClient();
    const { events } = createCassandraDeviceStore(client);
    await events.recordReset('d1', AT, {});
    await events.recordReset('d1', AT, { installId: 'i3', resetProofFlag: { set: false, writtenAt: AT } });
    expect(calls[0]).toMatchObject({ kind: 'execute', params: [MICROS, AT, 'd1'] });
    expect(calls[0]!.query).toContain('SET last_reset_at = ? WHERE');
    expect(calls[1]!.statements!.map((s) => s.params)).toEqual([
      [MICROS, AT, 'i3', 'd1'],
      [MICROS, false, AT, 'd1'],
    ]);
    expect(calls[1]!.statements![0]!.query).toContain('install_id = ?');
  });

  it('writes a sighting outside any activity to the window only, and activity to the customer’s devices too', async () => {
    const { client, calls } = recordingClient();
    const { events } = createCassandraDeviceStore(client, { clock: () => AT, lastSeenDays: 10 });
    await events.recordSeen('d1', 'c1', AT, { activity: false, windowDays: 30 });
    expect(shapes(calls)).toEqual(['UPDATE current_owner_by_device USING TTL']);
    calls.length = 0;
    await events.recordSeen('d1', 'c1', AT, { activity: true, windowDays: 30 });
    expect(calls).toHaveLength(2);
    expect(calls[0]!.statements!.map((s) => s.params)).toEqual([
      [30 * 86_400, MICROS, 'c1', AT, 'd1'],
      [10 * 86_400, MICROS, 'c1', AT, 'd1'],
    ]);
    expect(calls[1]).toMatchObject({
      query: expect.stringContaining('devices_by_customer'),
      params: [MICROS, AT, 'c1', 'd1'],
    });
  });

  it('copies a customer’s fact onto each of their devices under the customer’s name', async () => {
    const { client, calls } = recordingClient({ 'SELECT device_id': [{ device_id: 'd1' }, { device_id: 'd2' }] });
    await createCassandraDeviceStore(client).events.recordCustomerFact(
      'c1',
      { kind: 'standing', standing: 'good' },
      AT,
    );
    expect(calls[1]).toMatchObject({ params: ['c1'] });
    expect(calls.slice(2).map((c) => [c.params[2], c.params[4]])).toEqual([
      ['c1/standing', 'd1'],
      ['c1/standing', 'd2'],
    ]);
  });
});

describe('claiming a device', () => {
  it('claims a free device by a lightweight transaction, then writes the history, the sighting and the facts', async () => {
    const { client, calls } = recordingClient({
      'SELECT fact': [{ fact: 'standing', value: 'good', written: 7, ttl: null }],
    });
    const store = createCassandraDeviceStore(client, { lastSeenDays: 400 });
    expect(await store.events.bindIfFree('d1', 'c1', AT)).toBe('bound');
    expect(calls[0]).toMatchObject({ params: ['d1'], query: expect.stringContaining('SELECT owner_id FROM') });
    expect(calls[1]).toMatchObject({
      params: ['c1', AT, 'd1'],
      query: expect.stringContaining('IF owner_id = null'),
      options: { prepare: true, serialConsistency: types.consistencies.localSerial },
    });
    const history = calls.find((c) => c.query.startsWith('INSERT INTO ownership_history_by_device'))!;
    expect(history.params).toEqual(['d1', AT, 'c1', null, 'claim']);
    const lastSeen = calls.find((c) => c.query.includes('SET last_seen[?]'))!;
    expect(lastSeen.params).toEqual([400 * 86_400, MICROS, 'c1', AT, 'd1']);
    const fact = calls.find((c) => c.query.includes('SET customer_facts[?]'))!;
    expect(fact.params).toEqual([0, 7, 'c1/standing', 'good', 'd1']);
  });

  it('leaves a device that has an owner without a transaction, and says a lost claim is not free', async () => {
    const owned = recordingClient({ 'SELECT owner_id FROM': [{ owner_id: 'c9' }] });
    expect(await createCassandraDeviceStore(owned.client).events.bindIfFree('d1', 'c1', AT)).toBe('not free');
    expect(owned.calls).toHaveLength(1);
    const lost = recordingClient({}, false);
    expect(await createCassandraDeviceStore(lost.client).events.bindIfFree('d1', 'c1', AT)).toBe('not free');
    expect(lost.calls).toHaveLength(2);
  });

  it('transfers from the owner it expects, recorded as a transfer from them', async () => {
    const { client, calls } = recordingClient();
    expect(await createCassandraDeviceStore(client).decisions.claim('d1', 'c2', 'c1', AT)).toBe(true);
    expect(calls[0]).toMatchObject({
      params: ['c2', AT, 'd1', 'c1'],
      query: expect.stringContaining('IF owner_id = ?'),
    });
    const history = calls.find((c) => c.query.startsWith('INSERT INTO ownership_history_by_device'))!;
    expect(history.params).toEqual(['d1', AT, 'c2', 'c1', 'transfer']);
    const refused = recordingClient({}, false);
    expect(await createCassandraDeviceStore(refused.client).decisions.claim('d1', 'c2', 'c1', AT)).toBe(false);
    expect(refused.calls).toHaveLength(1);
  });
});

describe('history', () => {
  it('backfills 100 rows an unlogged batch, each at its own time, and reads history and devices back', async () => {
    const { client, calls } = recordingClient({
      'SELECT since': [
        { since: AT, owner_id: 'c2', previous_owner_id: 'c1', via: 'transfer' },
        { since: AT, owner_id: 'c1', previous_owner_id: null, via: 'claim' },
      ],
      'SELECT device_id, last_seen': [{ device_id: 'd1', last_seen: AT }],
    });
    const rows: number[] = [];
    const store = createCassandraDeviceStore(client, { onRowsWritten: (n) => rows.push(n) });
    const changes = Array.from({ length: 250 }, (_, i) => ({
      since: new Date(AT.getTime() + i),
      ownerId: `c${i}`,
      ...(i > 0 ? { previousOwnerId: `c${i - 1}` } : {}),
      via: 'legacy',
    }));
    await store.backfillHistory('d1', changes);
    expect(calls.map((c) => c.statements!.length)).toEqual([100, 100, 50]);
    expect(calls.every((c) => c.options['logged'] === false)).toBe(true);
    expect(rows).toEqual([100, 100, 50]);
    expect(calls[0]!.statements![0]!.params).toEqual(['d1', changes[0]!.since, 'c0', null, 'legacy', MICROS]);
    expect(calls[2]!.statements![49]!.params.slice(0, 5)).toEqual([
      'd1',
      changes[249]!.since,
      'c249',
      'c248',
      'legacy',
    ]);
    expect(await store.history('d1')).toEqual([
      { since: AT, ownerId: 'c2', previousOwnerId: 'c1', via: 'transfer' },
      { since: AT, ownerId: 'c1', via: 'claim' },
    ]);
    expect(await store.devicesOfCustomer('c1')).toEqual([{ deviceId: 'd1', lastSeen: AT }]);
  });
});
