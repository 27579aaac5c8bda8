import { monthlyCost } from './cost';

const seed = {
  evaluationsPerNight: 60_000_000,
  snoops: 56,
  marketingEventsPerDay: 500_000,
  deviceEventsPerDay: 300_000,
};
const usd = (terms: ReturnType<typeof monthlyCost>, item: string) => terms.find((t) => t.item === item)!.usd;

describe('the monthly cost model', () => {
  it('prices the results writes as 60 million a night x 30 nights at $0.625 a million', () => {
    expect(usd(monthlyCost(seed), 'snoop results (DynamoDB writes)')).toBeCloseTo(1_125, 6);
  });

  it('grows what scales with the night with it, and leaves what is always on alone', () => {
    const once = monthlyCost(seed);
    const twice = monthlyCost({ ...seed, evaluationsPerNight: 120_000_000 });
    for (const item of [
      'snoop results (DynamoDB writes)',
      'invoke step (Lambda, 512 MB)',
      'customer-rules queue (FIFO)',
    ])
      expect(usd(twice, item)).toBeCloseTo(2 * usd(once, item), 6);
    for (const item of ['rules engine (Fargate ARM, always on)', "engine's RDS Proxy", 'alarms (CloudWatch)'])
      expect(usd(twice, item)).toBe(usd(once, item));
  });

  it('says how every term is counted, and every term costs something', () => {
    for (const term of monthlyCost(seed)) {
      expect(term.usd).toBeGreaterThan(0);
      expect(term.formula.length).toBeGreaterThan(10);
    }
  });
});
