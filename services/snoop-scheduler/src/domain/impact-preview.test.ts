import { compileRuleFile, previewImpact } from '@backbone/rules-language';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { computeImpactPreview, type ImpactPreviewPorts } from './impact-preview';
import type { ImpactPreviewRequested } from '../../contracts';

const snoop = (id: string, when: string, score = '0.5') =>
  `snoop "${id}" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ` +
  `when: ${when} score: ${score} }`;
const beforeFile = [snoop('savings', 'balances.savings < 500.0'), snoop('age', 'profile.age > 30.0')].join('\n');
const afterFile = [
  snoop('savings', 'balances.savings < 900.0'),
  snoop('age', 'profile.age > 30.0'),
  snoop(
    'eats',
    'sum(transactions.filter(t, t.daysAgo <= 29.0 && t.category == "eating-out").map(t, t.amount)) > 100.0',
  ),
].join('\n');

const ids = Array.from({ length: 250 }, (_, i) => `cust-${String(i + 1).padStart(6, '0')}`);
const store = new Map(ids.map((id, i) => [id, sampleCustomer(i, 40)]));

function ports(overrides: Partial<ImpactPreviewPorts> = {}) {
  const reads: { ids: readonly string[]; windowDays: number; asOf: string }[] = [];
  const value: ImpactPreviewPorts = {
    async pageCustomers(after, limit) {
      return ids.filter((id) => id > (after ?? '')).slice(0, limit);
    },
    async readCustomers(wanted, options) {
      reads.push({ ids: wanted, windowDays: options.windowDays, asOf: options.asOf.toISOString() });
      // One customer has left the store between the page and the read: not counted, nothing fails.
      return new Map(wanted.filter((id) => id !== 'cust-000007').map((id) => [id, store.get(id)!] as const));
    },
    currency: 'GBP',
    maxWindowDays: 400,
    pageSize: 100,
    now: () => new Date('2026-12-07T10:00:00Z'),
    ...overrides,
  };
  return { value, reads };
}

const request = (overrides: Partial<ImpactPreviewRequested> = {}): ImpactPreviewRequested => ({
  previewId: '7d3f6f0e-7c1b-4f7e-9a51-2d0c8f0b1a11',
  before: { label: 'a'.repeat(64), rulesFile: beforeFile },
  after: { label: 'draft', rulesFile: afterFile },
  snoopIds: ['savings', 'eats'],
  customers: null,
  on: '2026-12-07',
  samplesPerKind: 2,
  ...overrides,
});

const compiled = (text: string) => {
  const outcome = compileRuleFile(text, { currency: 'GBP' });
  if (!outcome.ok) throw new Error('does not compile');
  return outcome.ruleSet;
};

describe('computeImpactPreview', () => {
  it('counts every eligible customer page by page, as previewImpact counts them at once', async () => {
    const { value, reads } = ports();
    const answer = await computeImpactPreview(request(), value);
    const counted = ids.filter((id) => id !== 'cust-000007').map((id) => ({ id, facts: store.get(id)! }));
    const expected = previewImpact(compiled(beforeFile), compiled(afterFile), counted, {
      ids: ['savings', 'eats'],
      on: '2026-12-07',
      samplesPerKind: 2,
    });
    expect(answer.outcome.status).toBe('computed');
    if (answer.outcome.status !== 'computed') return;
    expect(answer.outcome.report).toEqual(expected);
    expect(answer.outcome.report.customers).toBe(249);
    expect(answer.outcome.report.snoops.map((s) => s.gained)).toEqual([
      counted.filter((c) => c.facts.balances.savings >= 500 && c.facts.balances.savings < 900).length,
      expected.snoops[1]!.firedAfter,
    ]);
    expect(answer.outcome.report.snoops[1]!.gained).toBeGreaterThan(0);
    expect(reads.map((r) => r.ids.length)).toEqual([100, 100, 50]);
    // The eating-out snoop looks 29 days back: 30 days of transactions, read up to the day asked for.
    expect(reads.every((r) => r.windowDays === 30 && r.asOf === '2026-12-07T00:00:00.000Z')).toBe(true);
    expect(answer).toMatchObject({ previewId: request().previewId, computedAt: '2026-12-07T10:00:00.000Z' });
  });

  it('counts only the first customers asked for, and everything is gained when nothing was published', async () => {
    const { value, reads } = ports();
    const answer = await computeImpactPreview(request({ before: null, customers: 120 }), value);
    if (answer.outcome.status !== 'computed') throw new Error(answer.outcome.reason);
    expect(reads.map((r) => r.ids.length)).toEqual([100, 20]);
    const savings = answer.outcome.report.snoops[0]!;
    expect(savings.firedBefore).toBe(0);
    expect(savings.lost).toBe(0);
    expect(savings.gained).toBe(savings.firedAfter);
    expect(savings.samples.gained[0]!.before).toBe('not in the active rule set');
  });

  it('reads as far back as the engine reads when a rule set has no window, and no further', async () => {
    const { value, reads } = ports({ maxWindowDays: 120 });
    const noWindow = snoop('eats', 'sum(transactions.filter(t, t.category == "eating-out").map(t, t.amount)) > 100.0');
    await computeImpactPreview(request({ after: { label: 'draft', rulesFile: noWindow }, snoopIds: ['eats'] }), value);
    expect(reads[0]!.windowDays).toBe(120);
  });

  it('answers a rules file that does not compile as failed, naming the side and the problem, reading nothing', async () => {
    const { value, reads } = ports();
    const answer = await computeImpactPreview(
      request({ after: { label: 'draft', rulesFile: snoop('savings', 'balances.savings < "lots"') } }),
      value,
    );
    expect(answer.outcome.status).toBe('failed');
    expect(answer.outcome.status === 'failed' && answer.outcome.reason).toMatch(
      /^the rules file "draft" does not compile \(1 problem\(s\)\): .*savings/,
    );
    expect(reads).toEqual([]);
  });

  it('lets a failed read of the store fail the request (the consumer retries it)', async () => {
    const { value } = ports({
      readCustomers: async () => {
        throw new Error('connection refused');
      },
    });
    await expect(computeImpactPreview(request(), value)).rejects.toThrow('connection refused');
  });

  it('tells progress after each page', async () => {
    const seen: number[] = [];
    const { value } = ports({ onPage: (n) => seen.push(n) });
    await computeImpactPreview(request({ customers: 230 }), value);
    expect(seen).toEqual([100, 200, 230]);
  });
});
