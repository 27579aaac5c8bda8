import { createMemoryDeviceStore } from '../adapters/memory-device-store';
import { DEFAULT_POLICY } from './rules';
import { checkSignUp } from './signup-check';

const NOW = new Date('2026-11-30T12:00:00Z');

const setUp = () => {
  const stores = createMemoryDeviceStore(() => NOW);
  return { stores, deps: { store: stores.decisions, policy: DEFAULT_POLICY, now: () => NOW } };
};

describe('checking a sign-up', () => {
  it('binds a free device to the applicant, and then knows them as its owner', async () => {
    const { stores, deps } = setUp();
    const first = await checkSignUp(deps, { deviceId: 'd1', applicant: { customerId: 'a' } });
    expect(first).toMatchObject({ deviceId: 'd1', outcome: 'allow', claimed: true, decidedAt: NOW.toISOString() });
    const again = await checkSignUp(deps, { deviceId: 'd1', applicant: { customerId: 'a' } });
    expect(again).toMatchObject({ outcome: 'allow', claimed: false, reasons: [{ code: 'already_owner' }] });
    expect(stores.history()).toEqual([{ deviceId: 'd1', since: NOW, ownerId: 'a' }]);
  });

  it('lets exactly one of many concurrent claims win; every other is told why', async () => {
    const { stores, deps } = setUp();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => checkSignUp(deps, { deviceId: 'd1', applicant: { customerId: `c${i}` } })),
    );
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    expect(stores.history()).toHaveLength(1);
    expect(stores.history()[0]!.ownerId).toBe(`c${results.indexOf(winners[0]!)}`);
    for (const loser of results.filter((r) => !r.claimed)) {
      expect(loser.outcome).toBe('review');
      expect(loser.reasons[0]!.code).toBe('lost_concurrent_claim');
    }
  });

  it('decides without binding on a dry run, and by the legacy rule when asked', async () => {
    const { stores, deps } = setUp();
    await checkSignUp(deps, { deviceId: 'd1', applicant: { customerId: 'a' } });
    const later = { ...deps, now: () => new Date(NOW.getTime() + 60 * 86_400_000) };
    const legacy = await checkSignUp(later, { deviceId: 'd1', applicant: { customerId: 'b' }, rules: 'legacy' });
    expect(legacy).toMatchObject({ outcome: 'block', rulesVersion: 'legacy-v1', claimed: false });
    const dry = await checkSignUp(later, { deviceId: 'd1', applicant: { customerId: 'b' }, dryRun: true });
    expect(dry).toMatchObject({ outcome: 'allow_transfer', claimed: false });
    expect(stores.history()).toHaveLength(1);
    const real = await checkSignUp(later, { deviceId: 'd1', applicant: { customerId: 'b' } });
    expect(real).toMatchObject({ outcome: 'allow_transfer', claimed: true });
    expect(stores.history().map((h) => [h.ownerId, h.previousOwnerId])).toEqual([
      ['a', undefined],
      ['b', 'a'],
    ]);
  });

  it('tells a loser that finds the device still claimable to try again, and one that finds it theirs so', async () => {
    const { stores, deps } = setUp();
    // A claim that loses although the device reads free before and after: someone claimed and let go in between.
    const losing = { ...deps, store: { ...stores.decisions, claim: async () => false } };
    const lost = await checkSignUp(losing, { deviceId: 'd9', applicant: { customerId: 'a' } });
    expect(lost).toMatchObject({ outcome: 'review', stepUp: 'owner_release', claimed: false });
    expect(lost.reasons.map((r) => r.code)).toEqual(['lost_concurrent_claim', 'device_free']);
    // A claim that "loses" because the same applicant's other request won: already theirs, said plainly.
    await stores.decisions.claim('d8', 'a', undefined, NOW);
    const read = stores.decisions.read;
    let reads = 0;
    const raced = {
      ...deps,
      store: {
        read: async (id: string) => (reads++ === 0 ? { ...(await read(id)), owner: undefined } : read(id)),
        claim: async () => false,
      },
    };
    const theirs = await checkSignUp(raced, { deviceId: 'd8', applicant: { customerId: 'a' } });
    expect(theirs).toMatchObject({ outcome: 'allow', reasons: [{ code: 'already_owner' }], claimed: false });
  });

  it('decides on the clock it is given by default', async () => {
    const stores = createMemoryDeviceStore(() => NOW);
    const result = await checkSignUp(
      { store: stores.decisions, policy: DEFAULT_POLICY },
      { deviceId: 'd1', applicant: { customerId: 'a' }, dryRun: true },
    );
    expect(Math.abs(Date.parse(result.decidedAt) - Date.now())).toBeLessThan(60_000);
  });
});
