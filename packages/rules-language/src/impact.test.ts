import { impactTally, previewImpact } from './impact';
import { compileRuleFile, type CompiledRuleSet } from './rule-file';
import { sampleCustomer } from './testing/sample-customer';

function ruleSet(snoops: Record<string, { when: string; score?: string }>): CompiledRuleSet {
  const text = Object.entries(snoops)
    .map(
      ([id, s]) =>
        `snoop "${id}" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ` +
        `when: ${s.when} score: ${s.score ?? '0.5'} }`,
    )
    .join('\n');
  const compiled = compileRuleFile(text, { currency: 'GBP' });
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('\n'));
  return compiled.ruleSet;
}

const customers = Array.from({ length: 400 }, (_, i) => ({ id: `c-${i}`, facts: sampleCustomer(i, 60) }));
const on = '2026-11-30';

describe('previewImpact', () => {
  it('counts the customers a lower threshold gains, with samples in words, and loses none', () => {
    const before = ruleSet({ savings: { when: 'balances.savings < 500.0' }, other: { when: 'profile.age > 30.0' } });
    const after = ruleSet({ savings: { when: 'balances.savings < 1000.0' }, other: { when: 'profile.age > 30.0' } });
    const report = previewImpact(before, after, customers, { ids: ['savings'], on });
    // Counted independently: a customer is gained when 500 <= savings < 1000.
    const expectedGained = customers.filter((c) => c.facts.balances.savings >= 500 && c.facts.balances.savings < 1000);
    const firedBefore = customers.filter((c) => c.facts.balances.savings < 500).length;
    expect(report.customers).toBe(400);
    expect(report.snoops).toHaveLength(1);
    const [savings] = report.snoops;
    expect(savings).toMatchObject({
      id: 'savings',
      firedBefore,
      firedAfter: firedBefore + expectedGained.length,
      gained: expectedGained.length,
      lost: 0,
      rescored: 0,
    });
    expect(expectedGained.length).toBeGreaterThan(0);
    expect(savings!.samples.gained).toHaveLength(Math.min(3, expectedGained.length));
    expect(savings!.samples.gained[0]).toEqual({
      customerId: expectedGained[0]!.id,
      before: expect.stringMatching(/^savings .* GBP, not less than 500$/),
      after: expect.stringMatching(/^savings .* GBP, less than 1000$/),
    });
    expect(savings!.scoreBandsAfter[5]).toBe(firedBefore + expectedGained.length);
    expect(savings!.scoreBandsAfter.reduce((a, b) => a + b)).toBe(savings!.firedAfter);
  });

  it('counts customers lost and scores moved between bands', () => {
    const before = ruleSet({ s: { when: 'profile.age > 30.0', score: '0.25' } });
    const after = ruleSet({ s: { when: 'profile.age > 40.0', score: '0.95' } });
    const [s] = previewImpact(before, after, customers, { ids: ['s'], on }).snoops;
    const over30 = customers.filter((c) => c.facts.profile.age > 30).length;
    const over40 = customers.filter((c) => c.facts.profile.age > 40).length;
    expect(s).toMatchObject({
      firedBefore: over30,
      firedAfter: over40,
      gained: 0,
      lost: over30 - over40,
      rescored: over40,
    });
    expect(s!.scoreBandsBefore).toEqual([0, 0, over30, 0, 0, 0, 0, 0, 0, 0]);
    expect(s!.scoreBandsAfter).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, over40]);
    expect(s!.samples.lost[0]!.after).toMatch(/^age \d+, not more than 40$/);
  });

  it('treats every firing as gained when nothing was published before, and a new snoop likewise', () => {
    const after = ruleSet({ s: { when: 'profile.age > 30.0' } });
    const [s] = previewImpact(undefined, after, customers.slice(0, 50), { ids: ['s'], on, samplesPerKind: 1 }).snoops;
    const over30 = customers.slice(0, 50).filter((c) => c.facts.profile.age > 30).length;
    expect(s).toMatchObject({ firedBefore: 0, gained: over30, lost: 0 });
    expect(s!.samples.gained).toEqual([
      { customerId: expect.any(String), before: 'not in the active rule set', after: expect.any(String) },
    ]);
  });
});

describe('impactTally', () => {
  it('counts page by page what previewImpact counts at once, and a report taken early is not changed by later pages', () => {
    const before = ruleSet({ s: { when: 'balances.savings < 500.0' } });
    const after = ruleSet({ s: { when: 'balances.savings < 800.0', score: '0.7' } });
    const whole = previewImpact(before, after, customers, { ids: ['s'], on });
    const tally = impactTally(before, after, { ids: ['s'], on });
    tally.add(customers.slice(0, 100));
    const early = tally.report();
    tally.add(customers.slice(100, 250));
    tally.add(customers.slice(250));
    expect(tally.report()).toEqual(whole);
    expect(early.customers).toBe(100);
    expect(early.snoops[0]!.firedAfter).toBeLessThanOrEqual(whole.snoops[0]!.firedAfter);
    expect(early.snoops[0]!.firedAfter).toBe(
      customers.slice(0, 100).filter((c) => c.facts.balances.savings < 800).length,
    );
  });
});
