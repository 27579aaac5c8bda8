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
});
