import { matchKeyCoverage } from './coverage';
import type { SandboxReceived } from './server';

const received = (unique: number, matchKeys: Record<string, number>): SandboxReceived => ({
  total: unique,
  unique,
  duplicates: 0,
  deduplicates: true,
  matchKeys,
  requests: 1,
  rejected: 0,
  injectedFailures: 0,
  abandoned: 0,
});

describe('matchKeyCoverage', () => {
  it('gives each platform the share of the events received in between that carried each identifier', () => {
    const before = { meta: received(10, { email: 10, externalId: 10 }) };
    const after = { meta: received(110, { email: 85, phone: 50, externalId: 110 }), ga4: received(4, {}) };
    const { lines, shares } = matchKeyCoverage(before, after, ['meta', 'ga4', 'webhook']);
    expect(shares.meta).toEqual({ email: 0.75, phone: 0.5, name: 0, dateOfBirth: 0, country: 0, externalId: 1 });
    expect(shares.ga4!.externalId).toBe(0);
    // A platform that received nothing: zero, not NaN.
    expect(shares.webhook!.email).toBe(0);
    expect(lines[2]).toMatch(/^ {2}meta +100 +75 % +50 % +0 % +0 % +0 % +100 %$/);
  });
});
