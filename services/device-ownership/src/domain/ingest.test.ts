import {
  accountClosedV1,
  accountStandingChangedV1,
  appInstalledV1,
  customerLoanDisbursedV1,
  customerLoanRepaidV1,
  deviceResetSignalledV1,
  fraudFlagClearedV1,
  fraudFlagRaisedV1,
  loginSucceededV1,
  signUpAttemptedV1,
  signUpCompletedV1,
  type DeviceEvent,
} from '../../contracts';
import { createMemoryDeviceStore } from '../adapters/memory-device-store';
import { ingestDeviceEvent, MAX_CLOCK_SKEW_MS, writeTimeOf } from './ingest';
import { PermanentError } from '@backbone/shared';
import { DEFAULT_POLICY } from './rules';

const NOW = new Date('2026-11-30T12:00:00Z');
const at = (daysAgo: number, minutes = 0): string =>
  new Date(NOW.getTime() - daysAgo * 86_400_000 + minutes * 60_000).toISOString();

/** A's life with the phone, as backends report it. */
const story = (): DeviceEvent[] => [
  appInstalledV1.create({ deviceId: 'd1', installId: 'i1', platform: 'android' }, { occurredAt: at(100) }),
  signUpAttemptedV1.create({ deviceId: 'd1', customerId: 'a' }, { occurredAt: at(100, 1) }),
  signUpCompletedV1.create({ deviceId: 'd1', customerId: 'a' }, { occurredAt: at(100, 2) }),
  customerLoanDisbursedV1.create({ customerId: 'a', loanId: 'l1' }, { occurredAt: at(90) }),
  accountStandingChangedV1.create({ customerId: 'a', standing: 'arrears' }, { occurredAt: at(60) }),
  loginSucceededV1.create({ deviceId: 'd1', customerId: 'a' }, { occurredAt: at(50) }),
  customerLoanRepaidV1.create({ customerId: 'a', loanId: 'l1' }, { occurredAt: at(45) }),
  accountStandingChangedV1.create({ customerId: 'a', standing: 'good' }, { occurredAt: at(45, 1) }),
  fraudFlagRaisedV1.create(
    { subject: { kind: 'customer', customerId: 'a' }, flagId: 'f1', reason: 'chargeback', expiresAt: at(-300) },
    { occurredAt: at(44) },
  ),
  fraudFlagClearedV1.create({ subject: { kind: 'customer', customerId: 'a' }, flagId: 'f1' }, { occurredAt: at(43) }),
  deviceResetSignalledV1.create({ deviceId: 'd1', signal: 'new-install-id', installId: 'i2' }, { occurredAt: at(2) }),
];

async function replay(events: readonly DeviceEvent[]) {
  const stores = createMemoryDeviceStore(() => NOW);
  for (const event of events) await ingestDeviceEvent(event, stores.events, DEFAULT_POLICY);
  return { stores, record: await stores.decisions.read('d1') };
}

/** A deterministic shuffle (a fixed permutation per seed), so a failure names its order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let i = copy.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe('ingesting device events', () => {
  it('pre-processes a life with the phone into the one row a decision reads', async () => {
    const { record } = await replay(story());
    expect(record.owner).toEqual({ customerId: 'a', since: new Date(at(100, 2)) });
    expect(record.lastSeen.get('a')).toEqual(new Date(at(50)));
    expect(record.lastResetAt).toEqual(new Date(at(2)));
    // The loan repaid, back in good standing, the flag cleared: a clean record.
    expect(record.standings.get('a')).toEqual({ openLoans: 0, inArrears: false, flags: [] });
    expect(record.platform).toBe('android');
  });

  it('converges on the same state whatever the order and however often each event arrives', async () => {
    const { record: expected } = await replay(story());
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const events = shuffled(story(), seed);
      // ... each one delivered twice, the copy somewhere later.
      const { record } = await replay(shuffled([...events, ...events], seed + 100));
      // Standing and activity converge; who owns the phone depends only on sign-ups (one customer here).
      expect({ seed, record }).toEqual({ seed, record: expected });
    }
  });

  it('never lets a late event regress what is stored', async () => {
    const { stores } = await replay(story());
    // Delivered a month late: the disbursal, the arrears and the flag, all older than their resolutions.
    for (const late of [story()[3]!, story()[4]!, story()[8]!])
      await ingestDeviceEvent(late, stores.events, DEFAULT_POLICY);
    expect((await stores.decisions.read('d1')).standings.get('a')).toEqual({
      openLoans: 0,
      inArrears: false,
      flags: [],
    });
  });

  it("copies a customer's standing onto a device they start using, with the facts' own times", async () => {
    const { stores } = await replay([
      customerLoanDisbursedV1.create({ customerId: 'b', loanId: 'l9' }, { occurredAt: at(20) }),
      signUpCompletedV1.create({ deviceId: 'd2', customerId: 'b' }, { occurredAt: at(10) }),
      // Older than the disbursal: must not close the loan.
      customerLoanRepaidV1.create({ customerId: 'b', loanId: 'l9' }, { occurredAt: at(30) }),
    ]);
    expect((await stores.decisions.read('d2')).standings.get('b')).toEqual({
      openLoans: 1,
      inArrears: false,
      flags: [],
    });
  });

  it('records closures and device flags, and counts sign-up attempts among the accounts on a device', async () => {
    const { stores } = await replay([
      signUpCompletedV1.create({ deviceId: 'd3', customerId: 'c' }, { occurredAt: at(10) }),
      accountClosedV1.create({ customerId: 'c' }, { occurredAt: at(5) }),
      signUpAttemptedV1.create({ deviceId: 'd3', customerId: 'x' }, { occurredAt: at(4) }),
      fraudFlagRaisedV1.create(
        {
          subject: { kind: 'device', deviceId: 'd3' },
          flagId: 'g1',
          reason: 'ring',
          expiresAt: at(-10),
          resetProof: true,
        },
        { occurredAt: at(3) },
      ),
    ]);
    const record = await stores.decisions.read('d3');
    expect(record.standings.get('c')?.closedAt).toEqual(new Date(at(5)));
    expect([...record.accountsInWindow.keys()].sort()).toEqual(['c', 'x']);
    expect(record.deviceFlags).toEqual([
      { id: 'g1', reason: 'ring', raisedAt: new Date(at(3)), expiresAt: new Date(at(-10)), resetProof: true },
    ]);
  });

  it('writes nothing for a flag that expired before it arrived, and lets window entries lapse', async () => {
    const { stores } = await replay([
      fraudFlagRaisedV1.create(
        { subject: { kind: 'device', deviceId: 'd4' }, flagId: 'old', reason: 'x', expiresAt: at(1) },
        { occurredAt: at(20) },
      ),
      signUpAttemptedV1.create({ deviceId: 'd4', customerId: 'y' }, { occurredAt: at(DEFAULT_POLICY.windowDays + 1) }),
    ]);
    const record = await stores.decisions.read('d4');
    expect(record.deviceFlags).toEqual([]);
    expect(record.accountsInWindow.size).toBe(0);
  });

  it('writes each event to the store as the rows it stands for, with the event’s time', async () => {
    const calls: unknown[][] = [];
    const recorder = new Proxy(
      {},
      {
        get:
          (_, method: string) =>
          async (...args: unknown[]) =>
            void calls.push([method, ...args]),
      },
    ) as Parameters<typeof ingestDeviceEvent>[1];
    const t = new Date(at(1));
    const marker = { set: true, writtenAt: at(200) };
    const events: DeviceEvent[] = [
      appInstalledV1.create(
        { deviceId: 'd', installId: 'i', platform: 'ios', attestation: { resetProofFlag: marker } },
        { occurredAt: t },
      ),
      appInstalledV1.create({ deviceId: 'd', installId: 'i', platform: 'android' }, { occurredAt: t }),
      signUpAttemptedV1.create({ deviceId: 'd', customerId: 'c' }, { occurredAt: t }),
      signUpCompletedV1.create({ deviceId: 'd', customerId: 'c' }, { occurredAt: t }),
      loginSucceededV1.create({ deviceId: 'd', customerId: 'c' }, { occurredAt: t }),
      customerLoanRepaidV1.create({ customerId: 'c', loanId: 'l' }, { occurredAt: t }),
      accountStandingChangedV1.create({ customerId: 'c', standing: 'arrears' }, { occurredAt: t }),
      accountClosedV1.create({ customerId: 'c' }, { occurredAt: t }),
      fraudFlagRaisedV1.create(
        { subject: { kind: 'customer', customerId: 'c' }, flagId: 'f', reason: 'r', expiresAt: at(-9) },
        { occurredAt: t },
      ),
      fraudFlagClearedV1.create({ subject: { kind: 'device', deviceId: 'd' }, flagId: 'f' }, { occurredAt: t }),
      fraudFlagClearedV1.create({ subject: { kind: 'customer', customerId: 'c' }, flagId: 'f' }, { occurredAt: t }),
      deviceResetSignalledV1.create(
        { deviceId: 'd', signal: 'attestation', installId: 'j', attestation: { resetProofFlag: marker } },
        { occurredAt: t },
      ),
      deviceResetSignalledV1.create({ deviceId: 'd', signal: 'new-install-id' }, { occurredAt: t }),
    ];
    for (const event of events) await ingestDeviceEvent(event, recorder, DEFAULT_POLICY);
    const window = DEFAULT_POLICY.windowDays;
    const proof = { set: true, writtenAt: new Date(at(200)) };
    expect(calls).toEqual([
      ['recordInstall', 'd', { installId: 'i', platform: 'ios', resetProofFlag: proof }, t],
      ['recordInstall', 'd', { installId: 'i', platform: 'android' }, t],
      ['recordSeen', 'd', 'c', t, { windowDays: window, activity: false }],
      ['recordSeen', 'd', 'c', t, { windowDays: window, activity: true }],
      ['bindIfFree', 'd', 'c', t],
      ['recordSeen', 'd', 'c', t, { windowDays: window, activity: true }],
      ['recordCustomerFact', 'c', { kind: 'loan', loanId: 'l', state: 'repaid' }, t],
      ['recordCustomerFact', 'c', { kind: 'standing', standing: 'arrears' }, t],
      ['recordCustomerFact', 'c', { kind: 'closed', at: t }, t],
      [
        'recordCustomerFact',
        'c',
        { kind: 'flag', flag: { id: 'f', reason: 'r', raisedAt: t, expiresAt: new Date(at(-9)), resetProof: false } },
        t,
      ],
      ['recordDeviceFlag', 'd', 'f', undefined, t],
      ['recordCustomerFact', 'c', { kind: 'flag-cleared', flagId: 'f' }, t],
      ['recordReset', 'd', t, { installId: 'j', resetProofFlag: proof }],
      ['recordReset', 'd', t, {}],
    ]);
  });
});

describe('the write time of an event', () => {
  const login = (occurredAt: Date | string) =>
    loginSucceededV1.create({ deviceId: 'd1', customerId: 'a' }, { occurredAt });

  it('is its own time; one a little ahead of the clock is written at the clock; one further ahead is refused', () => {
    expect(writeTimeOf(login(at(1)), NOW)).toEqual(new Date(at(1)));
    expect(writeTimeOf(login(new Date(NOW.getTime() + 60_000)), NOW)).toEqual(NOW);
    expect(() => writeTimeOf(login(new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS + 1)), NOW)).toThrow(PermanentError);
    expect(() => writeTimeOf(login(new Date('2100-01-01T00:00:00Z')), NOW)).toThrow(
      /LoginSucceeded ref [0-9a-f]{12} is dated 2100-01-01T00:00:00.000Z, more than 5 minutes ahead.*Fix the producer's clock/,
    );
  });
});
