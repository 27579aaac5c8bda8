import type { CustomerFacts } from './customer-schema';
import { boundaryProbes, completionsAt, diagnose, runSamples, type SampleCustomer } from './editing';
import type { SnoopDefinition } from './rule-file';

const facts: CustomerFacts = {
  profile: {
    age: 34,
    tenureMonths: 20,
    region: 'London',
    employmentStatus: 'employed',
    creditScore: 700,
    isHomeowner: true,
    hasOverdraft: false,
  },
  balances: { current: -120, savings: 300, overdraftLimit: 500, overdraftUsed: 120, creditCardDebt: 2000 },
  salary: { monthlyNet: 2400, paydayOfMonth: 25, daysUntilPayday: 3 },
  transactions: [
    { amount: 120, category: 'eating-out', merchant: 'Deliveroo', daysAgo: 5, direction: 'out' },
    { amount: 80.4, category: 'eating-out', merchant: 'Pret', daysAgo: 20, direction: 'out' },
  ],
};
const saver: SampleCustomer = { name: 'Saver', facts };
const spender: SampleCustomer = {
  name: 'Spender',
  facts: {
    ...facts,
    transactions: [
      ...facts.transactions,
      { amount: 400, category: 'eating-out', merchant: 'Nobu', daysAgo: 1, direction: 'out' },
    ],
  },
};

const snoop = (when: string, score = '0.5'): SnoopDefinition => ({
  id: 'eating-out',
  name: 'Eating out',
  status: 'draft',
  audience: 'all',
  contentRef: 'c',
  validFrom: '2026-01-01',
  version: 1,
  when,
  score,
});
const EATING_OUT = 'sum(transactions.filter(t, t.daysAgo <= 30 && t.category == "eating-out").map(t, t.amount))';

describe('diagnose', () => {
  it('finds nothing wrong in a condition or score that can be saved', () => {
    expect(diagnose(`${EATING_OUT} > 200.0 && profile.age >= 18.0`, 'condition')).toEqual([]);
    expect(diagnose('0.5', 'score')).toEqual([]);
  });

  it.each([
    // A name the customer does not have: the whole name underlined.
    ['profile.agee > 18.0', 'condition', 0, 12, /agee/],
    // Text compared with a number.
    ['profile.region > 18.0', 'condition', 0, 21, /./],
    // A syntax error at the end of the text.
    ['profile.age > ', 'condition', 14, 14, /end of the text/],
    // An unterminated string.
    ['profile.region == "Lon', 'condition', 18, 22, /./],
    // The right type for the wrong role.
    ['profile.age', 'condition', 0, 11, /^a condition is true or false; this is/],
    ['profile.age > 1.0', 'score', 0, 17, /^a score is a number; this is/],
    // Valid CEL the stored form cannot hold: the part to blame.
    ['profile.age > 18.0 ? true : false', 'condition', 0, 33, /is not a stored condition/],
  ] as const)('underlines %j as a %s from %i to %i', (text, role, from, to, message) => {
    const [problem, ...more] = diagnose(text, role);
    expect(more).toEqual([]);
    expect(problem).toMatchObject({ from, to });
    expect(problem!.message).toMatch(message);
  });

  it('asks for a condition or a score when there is none', () => {
    expect(diagnose('  ', 'condition')).toEqual([
      { from: 0, to: 2, message: 'write the condition: when the snoop fires' },
    ]);
    expect(diagnose('', 'score')).toEqual([{ from: 0, to: 0, message: 'write the score: a number from 0 to 1' }]);
  });

  it('refuses more parts than a rule may have', () => {
    const long = Array.from({ length: 150 }, () => 'profile.age > 1.0').join(' && ');
    expect(diagnose(long, 'condition')).toEqual([
      { from: 0, to: long.length, message: expect.stringMatching(/parts, more than the 400 a condition may have/) },
    ]);
  });
});

describe('completionsAt', () => {
  const labels = (text: string, at = text.length) => completionsAt(text, at).options.map((o) => o.label);

  it("offers an object's fields after its name and a dot, with their types and a sample", () => {
    expect(labels('profile.')).toEqual([
      'age',
      'tenureMonths',
      'creditScore',
      'region',
      'employmentStatus',
      'isHomeowner',
      'hasOverdraft',
    ]);
    expect(completionsAt('balances.sa', 11)).toEqual({
      from: 9,
      options: [{ label: 'savings', kind: 'field', detail: 'number', info: 'savings balance (e.g. 300)' }],
    });
  });

  it("offers a transaction's fields after its variable, and the macros after transactions.", () => {
    expect(labels('transactions.exists(t, t.')).toEqual(['amount', 'direction', 'category', 'merchant', 'daysAgo']);
    expect(labels('transactions.')).toEqual(['size', 'filter', 'map', 'exists', 'all']);
  });

  it('offers variables, functions and keywords elsewhere, by what is typed', () => {
    expect(labels('s')).toEqual(['salary', 'sum', 'size']);
    expect(completionsAt('profile.age > 1.0 && ba', 23).from).toBe(21);
    expect(labels('profile.age > 1.0 && ba')).toEqual(['balances']);
  });
});

describe('runSamples', () => {
  it('says for each sample customer whether the snoop fires, its score and why, as the engine would', () => {
    expect(
      runSamples(snoop(`${EATING_OUT} > 300.0`, 'profile.age / 100.0'), [saver, spender], { on: '2026-11-30' }),
    ).toEqual([
      {
        name: 'Saver',
        fired: false,
        score: 0,
        explanation: 'transactions totalling 200.40 GBP on eating-out in the last 30 days, not more than 300',
      },
      {
        name: 'Spender',
        fired: true,
        score: 0.34,
        explanation: 'transactions totalling 600.40 GBP on eating-out in the last 30 days, more than 300',
      },
    ]);
  });

  it('says why for every sample when the snoop does not compile', () => {
    expect(runSamples(snoop('profile.agee > 1.0'), [saver], { on: '2026-11-30' })).toEqual([
      { name: 'Saver', error: expect.stringMatching(/agee/) },
    ]);
  });
});

describe('boundaryProbes', () => {
  it("moves the customer's field around a number compared with it", () => {
    expect(boundaryProbes(snoop('profile.age >= 34.0'), saver, { on: '2026-11-30' })).toEqual([
      {
        from: 15,
        to: 19,
        value: 34,
        varies: { field: 'profile.age' },
        tries: [
          { label: 'just below', value: 33, fired: false },
          { label: 'at', value: 34, fired: true },
          { label: 'just above', value: 35, fired: true },
        ],
      },
    ]);
  });

  it('moves a threshold on an aggregate by a penny, and reads a number on the left too', () => {
    const [threshold, days] = boundaryProbes(snoop(`200.4 < ${EATING_OUT}`), saver, { on: '2026-11-30' });
    expect(threshold).toMatchObject({ value: 200.4, varies: 'threshold' });
    // The sum is 200.40: "200.39 <" fires, "200.40 <" and "200.41 <" do not.
    expect(days).toMatchObject({ value: 30, varies: 'threshold' });
    expect(
      boundaryProbes(snoop(`200.4 < ${EATING_OUT}`), saver, { on: '2026-11-30' })[0]!.tries.map((t) => t.fired),
    ).toEqual([true, false, false]);
  });

  it('has none for a condition that does not parse', () => {
    expect(boundaryProbes(snoop('profile.age >'), saver, { on: '2026-11-30' })).toEqual([]);
  });
});
