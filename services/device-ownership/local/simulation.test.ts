import { DEFAULT_MARKET, generateMonth, replayMonth, summarise, type MarketParameters } from './simulation';

const small: MarketParameters = { ...DEFAULT_MARKET, applicants: 2_000, fraudRings: 6 };

async function simulate(market: MarketParameters) {
  const month = generateMonth(market);
  return summarise(await replayMonth(month, market, 'current'), await replayMonth(month, market, 'legacy'));
}

describe('the device simulation', () => {
  it('is reproducible: the same seed gives the same figures, another seed other ones', async () => {
    const [a, b, c] = await Promise.all([simulate(small), simulate(small), simulate({ ...small, seed: 7 })]);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('admits genuine second-hand buyers the legacy rule blocks, and still stops most fraud', async () => {
    const summary = await simulate(small);
    // The legacy rule blocks every phone a customer used before: every resold one, every shared one.
    expect(summary.legacy.resoldBlocked).toBe(summary.legacy.resold);
    expect(summary.legacy.resold).toBeGreaterThan(50);
    expect(summary.current.genuineBlocked).toBe(0);
    expect(summary.admittedByCurrentBlockedByLegacy).toBeGreaterThan(summary.legacy.genuineBlocked / 2);
    expect(summary.current.fraudStopped / summary.current.fraud).toBeGreaterThan(0.6);
  });

  it('counts nothing as second-hand from a customer when no phone changes hands', async () => {
    const summary = await simulate({ ...small, secondHandShare: 0, sharedPhoneShare: 0 });
    expect(summary.current.resold).toBe(0);
    expect(summary.legacy.genuineBlocked).toBe(0);
  });
});
