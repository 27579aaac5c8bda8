import { compileRuleFile, type CustomerFacts } from '@backbone/rules-language';
import { sampleCustomer } from '@backbone/rules-language/testing';
import {
  EVALUATE_LIMITS,
  evaluateCustomers,
  evaluateRequestSchema,
  type EvaluateDependencies,
  type SnoopResultItem,
} from './evaluate';
import type { LoadedRuleSet } from '../../src/domain/rule-sets';
import type { Admission } from './run-fence';

const TEXT = ['big-spender', 'young', 'old']
  .map(
    (id, i) =>
      `snoop "${id}" { name: "n" status: ${id === 'old' ? 'retired' : 'active'} audience: "all" content: "c" ` +
      `valid_from: "2026-01-01" version: 1 when: ${
        i === 0 ? 'sum(transactions.filter(t, t.daysAgo <= 45.0).map(t, t.amount)) > 10.0' : 'profile.age < 30.0'
      } score: 0.5 }`,
  )
  .join('\n');

function loaded(): LoadedRuleSet {
  const compiled = compileRuleFile(TEXT);
  if (!compiled.ok) throw new Error('does not compile');
  return { version: 'v1', ruleSet: compiled.ruleSet, loadedAt: new Date(), publishedAt: '', loadMs: 1 };
}

function dependencies(admissions: Admission[] = [{ admitted: true }]) {
  const customers = new Map<string, CustomerFacts>([
    ['c-1', sampleCustomer(1)],
    ['c-2', sampleCustomer(2)],
  ]);
  const written: SnoopResultItem[] = [];
  const reads: { ids: readonly string[]; windowDays: number; asOf: Date }[] = [];
  let admitCalls = 0;
  const deps: EvaluateDependencies = {
    ruleSet: loaded(),
    readCustomers: async (ids, options) => {
      reads.push({ ids, ...options });
      return new Map(ids.flatMap((id) => (customers.has(id) ? [[id, customers.get(id)!] as const] : [])));
    },
    results: {
      async write(items, { admit }) {
        const admission = await admit();
        if (!admission.admitted) throw new Error(admission.message);
        written.push(...items);
        return { written: items.length };
      },
    },
    fence: { admit: async () => admissions[Math.min(admitCalls++, admissions.length - 1)]! },
    maxWindowDays: 400,
    now: () => new Date('2026-11-30T02:03:04.000Z'),
  };
  return { deps, written, reads };
}

describe('evaluating customers', () => {
  it('scores each customer on the rules asked for (all active ones by default) and writes one item per pair', async () => {
    const { deps, written, reads } = dependencies();
    const outcome = await evaluateCustomers(
      evaluateRequestSchema.parse({
        runId: 'run-1',
        includeResults: true,
        customers: [
          { customerId: 'c-1' },
          { customerId: 'c-2', ruleIds: ['young', 'old', 'nope'] },
          { customerId: 'c-9' },
        ],
      }),
      deps,
    );
    expect(outcome.kind).toBe('done');
    if (outcome.kind !== 'done') return;
    const response = outcome.response;
    expect(response).toMatchObject({ runId: 'run-1', rulesVersion: 'v1', on: '2026-11-30', dryRun: false });
    expect(response.results!.map((r) => `${r.customerId}/${r.ruleId}`)).toEqual([
      'c-1/big-spender',
      'c-1/young',
      'c-2/young',
    ]);
    expect(response.errors).toEqual([
      { customerId: 'c-2', ruleId: 'old', code: 'not-active', reason: expect.stringContaining('retired') },
      { customerId: 'c-2', ruleId: 'nope', code: 'unknown-rule', reason: 'no snoop "nope" in this rule set' },
      {
        customerId: 'c-9',
        code: 'unknown-customer',
        reason: 'the customer is not in the customer store; nothing was scored for them',
      },
    ]);
    expect(response.evaluated).toBe(3);
    expect(response.written).toBe(3);
    expect(response.qualified).toBe(response.results!.filter((r) => r.qualified).length);
    expect(written[0]).toEqual({
      ...response.results![0],
      rulesVersion: 'v1',
      runId: 'run-1',
      evaluatedAt: '2026-11-30T02:03:04.000Z',
    });
    // One read for every customer; 46 days of transactions, as the rules' longest window is t.daysAgo <= 45.
    expect(reads).toEqual([{ ids: ['c-1', 'c-2', 'c-9'], windowDays: 46, asOf: new Date('2026-11-30T00:00:00Z') }]);
  });

  it('accepts one customer with one rule id, as the original design sent; answers results only when asked', async () => {
    const { deps, written } = dependencies();
    const outcome = await evaluateCustomers(
      evaluateRequestSchema.parse({ runId: 'r', customerId: 'c-1', ruleId: 'young', on: '2026-06-01' }),
      deps,
    );
    expect(outcome.kind === 'done' && outcome.response).toMatchObject({ evaluated: 1, written: 1 });
    expect(outcome.kind === 'done' && 'results' in outcome.response).toBe(false);
    expect(written.map((w) => w.ruleId)).toEqual(['young']);
  });

  it('scores without writing on a dry run, which needs no run', async () => {
    const { deps, written } = dependencies([{ admitted: false, reason: 'not-started', message: 'no' }]);
    const outcome = await evaluateCustomers(evaluateRequestSchema.parse({ dryRun: true, customerId: 'c-1' }), deps);
    expect(outcome.kind === 'done' && outcome.response).toMatchObject({ dryRun: true, written: 0, evaluated: 2 });
    expect(written).toEqual([]);
  });

  it('does no work for a run the fence refuses', async () => {
    const refusal: Admission = { admitted: false, reason: 'superseded', message: 'run r is not the current run' };
    const { deps, reads } = dependencies([refusal]);
    expect(await evaluateCustomers(evaluateRequestSchema.parse({ runId: 'r', customerId: 'c-1' }), deps)).toEqual({
      kind: 'refused',
      admission: refusal,
    });
    expect(reads).toEqual([]);
  });

  it('refuses a request larger than one request may be, saying to split it', async () => {
    const { deps } = dependencies();
    const customers = Array.from({ length: EVALUATE_LIMITS.customers }, (_, i) => ({
      customerId: `c-${i}`,
      ruleIds: Array.from({ length: 101 }, () => 'young'),
    }));
    const outcome = await evaluateCustomers(evaluateRequestSchema.parse({ runId: 'r', customers }), deps);
    expect(outcome).toEqual({
      kind: 'too-large',
      message: expect.stringMatching(/50500 evaluations; at most 50000.*split/),
    });
  });
});

describe('the evaluate request', () => {
  const problems = (body: unknown) =>
    evaluateRequestSchema.safeParse(body).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

  it('names the field at fault', () => {
    expect(problems({ runId: 'r' })).toEqual([': give either customerId (one customer) or customers (a batch)']);
    expect(problems({ customerId: 'c' })).toEqual(['runId: required unless dryRun is true']);
    expect(problems({ runId: 'r', customers: [{ customerId: 'c', ruleIds: ['Not A Slug'] }] })).toEqual([
      'customers.0.ruleIds.0: a snoop id: a lowercase slug such as "energy-switch"',
    ]);
    expect(problems({ runId: 'r', customerId: 'c', ruleIds: ['a'], ruleId: 'a' })).toEqual([
      'ruleId: give ruleIds or ruleId, not both',
    ]);
    expect(problems({ runId: 'r', customers: [{ customerId: 'c' }], ruleIds: ['a'] })).toEqual([
      ': in a batch, each customer names its own ruleIds',
    ]);
    expect(problems({ runId: 'r', customerId: 'c', extra: 1 })).toEqual([': Unrecognized key: "extra"']);
    expect(problems({ runId: 'r', customerId: 'c', on: '30/11/2026' })).toEqual(['on: Invalid ISO date']);
  });
});
