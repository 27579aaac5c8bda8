import { compileRuleFile, type RuleOutcome } from './rule-file';
import type { CustomerFacts, Transaction } from './customer-schema';

const tx = (amount: number, category: string, merchant: string, daysAgo: number, direction: 'in' | 'out' = 'out') =>
  ({ amount, category, merchant, daysAgo, direction }) satisfies Transaction;

const customer = (overrides: Partial<CustomerFacts> = {}): CustomerFacts => ({
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
    tx(120, 'eating-out', 'Deliveroo', 5),
    tx(100.4, 'eating-out', 'Pret', 20),
    tx(92, 'eating-out', "Nando's", 27),
    tx(500, 'eating-out', 'Deliveroo', 60),
    tx(2400, 'salary', 'Employer Ltd', 10, 'in'),
    tx(40, 'gambling', 'Bet365', 2),
  ],
  ...overrides,
});

function rules(snoops: Record<string, { when: string; score?: string; validTo?: string; status?: string }>) {
  const text = Object.entries(snoops)
    .map(
      ([id, s]) =>
        `snoop "${id}" { name: "n" status: ${s.status ?? 'active'} audience: "all" content: "c" ` +
        `valid_from: "2026-01-01" ${s.validTo ? `valid_to: "${s.validTo}" ` : ''}version: 1 ` +
        `when: ${s.when} score: ${s.score ?? '0.5'} }`,
    )
    .join('\n');
  const compiled = compileRuleFile(text, { currency: 'GBP' });
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('\n'));
  return compiled.ruleSet;
}

const EATING_OUT_30 =
  'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.direction == "out" && t.category == "eating-out").map(t, t.amount))';

type Verdict = Extract<RuleOutcome, { qualified: boolean }>;
const explain = (when: string, facts = customer()): Verdict =>
  rules({ r: { when } }).evaluateRules(facts, ['r'], { on: '2026-11-30' })[0] as Verdict;

describe('explanations', () => {
  it('say what fired, with the amount the condition saw', () => {
    expect(explain(`${EATING_OUT_30} > 200.0`)).toEqual({
      id: 'r',
      qualified: true,
      score: 0.5,
      explanation: 'spent 312.40 GBP on eating-out in the last 30 days, more than 200',
    });
  });

  it('say what did not hold when a snoop does not fire', () => {
    expect(explain(`${EATING_OUT_30} > 400.0`)).toMatchObject({
      qualified: false,
      score: 0,
      explanation: 'spent 312.40 GBP on eating-out in the last 30 days, not more than 400',
    });
  });

  it('read a constant on the left the same way round', () => {
    expect(explain(`200.0 < ${EATING_OUT_30}`)).toMatchObject({
      explanation: 'spent 312.40 GBP on eating-out in the last 30 days, more than 200',
    });
  });

  it('list every part of an "and" that held, and only the part that failed', () => {
    const both = `${EATING_OUT_30} > 200.0 && profile.isHomeowner`;
    expect(explain(both).explanation).toBe(
      'spent 312.40 GBP on eating-out in the last 30 days, more than 200; is a homeowner',
    );
    const renter = customer({ profile: { ...customer().profile, isHomeowner: false } });
    expect(explain(both, renter)).toMatchObject({ qualified: false, explanation: 'is not a homeowner' });
    expect(explain(`!profile.isHomeowner`)).toMatchObject({ qualified: false, explanation: 'is a homeowner' });
  });

  it('name the alternative of an "or" that held, and every one when none did', () => {
    const either = 'profile.creditScore >= 750.0 || balances.savings < 1000.0';
    expect(explain(either).explanation).toBe('savings 300.00 GBP, less than 1000');
    const rich = customer({ balances: { ...customer().balances, savings: 5000 } });
    expect(explain(either, rich).explanation).toBe(
      'credit score 700, less than 750; savings 5000.00 GBP, not less than 1000',
    );
  });

  it('count payments, find one, and compare with another amount', () => {
    expect(
      explain('size(transactions.filter(t, t.direction == "out" && t.merchant in ["Bet365", "Betfair"])) >= 1.0')
        .explanation,
    ).toBe('1 payments at Bet365 or Betfair, at least 1');
    expect(
      explain('transactions.exists(t, t.daysAgo <= 7.0 && t.category == "gambling" && t.amount >= 100.0)').explanation,
    ).toBe('no transaction on gambling of at least 100.00 GBP in the last 7 days');
    expect(explain('profile.region in ["London", "Wales"]').explanation).toBe('region London, one of London or Wales');
    expect(explain('balances.overdraftUsed > balances.overdraftLimit * 0.8').explanation).toBe(
      'overdraft used 120.00 GBP, not more than balances.overdraftLimit * 0.8 (400)',
    );
  });

  it('fall back to the expression itself for a shape they do not know', () => {
    expect(explain('profile.age > 18.0 ? true : false').explanation).toBe('"profile.age > 18.0 ? true : false" holds');
  });
});

describe('evaluateRules', () => {
  const set = rules({
    'eats-out': { when: `${EATING_OUT_30} > 200.0`, score: `${EATING_OUT_30} / 100.0` },
    'winter-only': { when: 'true', validTo: '2026-03-31' },
    'a-draft': { when: 'true', status: 'draft' },
  });

  it('answers every id asked for, in order: a verdict, or why it was not evaluated', () => {
    expect(
      set.evaluateRules(customer(), ['winter-only', 'no-such', 'a-draft', 'eats-out'], { on: '2026-11-30' }),
    ).toEqual([
      {
        id: 'winter-only',
        qualified: false,
        score: 0,
        explanation: 'not in force on 2026-11-30 (valid from 2026-01-01 to 2026-03-31)',
      },
      { id: 'no-such', error: 'unknown-rule', reason: 'no snoop "no-such" in this rule set' },
      { id: 'a-draft', error: 'not-active', reason: expect.stringContaining('draft') },
      // 312.40 / 100 is clamped to 1.
      expect.objectContaining({ id: 'eats-out', qualified: true, score: 1 }),
    ]);
  });

  it('agrees with evaluate() on who qualifies and their score', () => {
    const outcomes = set.evaluateRules(customer(), set.activeIds, { on: '2026-02-01' });
    const fired = outcomes.flatMap((o) => ('qualified' in o && o.qualified ? [{ id: o.id, score: o.score }] : []));
    expect(fired).toEqual(set.evaluate(customer(), { on: '2026-02-01' }));
  });

  it('knows how many days of transactions its rules can see', () => {
    expect(set.transactionWindowDays).toBe(30);
    expect(rules({ r: { when: 'size(transactions) > 1.0' } }).transactionWindowDays).toBeUndefined();
    expect(rules({ r: { when: 'profile.age > 18.0' } }).transactionWindowDays).toBe(0);
  });
});

/** Sums, counts and extremes of transactions, each with its own scope: the shapes the snoop editor builds. */
const outgoing = (filter: string) => `transactions.filter(t, t.direction == "out"${filter ? ` && ${filter}` : ''})`;

describe('explanations of every shape the editor builds', () => {
  it.each([
    // Counts: every transaction, payments in, merchants named like, a list of three.
    ['size(transactions) > 5.0', '6 transactions, more than 5'],
    ['size(transactions.filter(t, t.direction == "in")) >= 1.0', '1 payments in, at least 1'],
    [
      'size(transactions.filter(t, t.merchant.contains("Deliv"))) == 2.0',
      '2 transactions at merchants named like "Deliv", equal to 2',
    ],
    [
      'size(transactions.filter(t, t.category in ["eating-out", "gambling", "travel"])) > 3.0',
      '5 transactions on eating-out, gambling or travel, more than 3',
    ],
    ['size(transactions.filter(t, t.merchant == "Pret")) != 1.0', '1 transactions at Pret, equal to 1'],
    // Sums: spent, received, totalling.
    [
      `sum(${outgoing('t.daysAgo <= 30.0')}.map(t, t.amount)) >= 352.4`,
      'spent 352.40 GBP in the last 30 days, at least 352.4',
    ],
    [
      'sum(transactions.filter(t, t.direction == "in").map(t, t.amount)) > 1000.0',
      'received 2400.00 GBP, more than 1000',
    ],
    [
      'sum(transactions.filter(t, t.daysAgo <= 30.0).map(t, t.amount)) < 1000.0',
      'transactions totalling 2752.40 GBP in the last 30 days, not less than 1000',
    ],
    // Averages, largest and smallest, with amounts bounded both ways.
    [
      `avg(${outgoing('t.merchant == "Deliveroo"')}.map(t, t.amount)) > 100.0`,
      'average payment 310.00 GBP at Deliveroo, more than 100',
    ],
    [
      'avg(transactions.filter(t, t.category == "salary").map(t, t.amount)) <= 100.0',
      'average transaction 2400.00 GBP on salary, more than 100',
    ],
    [
      'max(transactions.filter(t, t.direction == "in").map(t, t.amount)) < 100.0',
      'largest payment in 2400.00 GBP, not less than 100',
    ],
    [
      'min(transactions.filter(t, t.amount >= 50.0 && t.amount < 200.0).map(t, t.amount)) <= 95.0',
      'smallest transaction 92.00 GBP of at least 50.00 GBP of less than 200.00 GBP, at most 95',
    ],
    [
      'min(transactions.filter(t, t.amount > 50.0 && t.amount <= 120.0).map(t, t.amount)) > 95.0',
      'smallest transaction 92.00 GBP of more than 50.00 GBP of at most 120.00 GBP, not more than 95',
    ],
    [`max(${outgoing('')}.map(t, t.amount)) == 500.0`, 'largest payment 500.00 GBP, equal to 500'],
    // Two aggregates compared: both described.
    [
      `sum(${outgoing('')}.map(t, t.amount)) < sum(transactions.filter(t, t.direction == "in").map(t, t.amount))`,
      'spent 852.40 GBP, less than received 2400.00 GBP',
    ],
    // A constant on the left, read from the other side, for each operator.
    ['1000.0 >= balances.savings', 'savings 300.00 GBP, at most 1000'],
    ['1000.0 > balances.savings', 'savings 300.00 GBP, less than 1000'],
    ['100.0 <= balances.savings', 'savings 300.00 GBP, at least 100'],
    ['100.0 < balances.savings', 'savings 300.00 GBP, more than 100'],
    ['34.0 == profile.age', 'age 34, equal to 34'],
    ['34.0 != profile.age', 'age 34, equal to 34'],
    // Plain values: text, yes or no, fractions to two places; and an operand with no words of its own.
    ['profile.region == "London"', 'region London, equal to London'],
    ['profile.isHomeowner == true', 'homeowner true, equal to true'],
    ['balances.savings / 7.0 > 1.0', 'balances.savings / 7.0 is 42.86, more than 1'],
    ['profile.region in ["Wales", "Scotland"]', 'region London, not one of Wales or Scotland'],
    ['profile.region in ["London"]', 'region London, one of London'],
    // Finding one: in, out, none.
    ['transactions.exists(t, t.direction == "in" && t.amount > 1000.0)', 'a payment in of more than 1000.00 GBP'],
    ['transactions.exists(t, t.direction == "out" && t.category == "travel")', 'no payment on travel'],
    ['transactions.exists(t, t.merchant.contains("Bet"))', 'a transaction at merchants named like "Bet"'],
    // "Or" of three: the one that held; "not" of an "and".
    [
      'profile.age > 60.0 || profile.region == "Wales" || balances.savings >= 300.0',
      'savings 300.00 GBP, at least 300',
    ],
    ['!(profile.isHomeowner && profile.hasOverdraft)', 'has no overdraft'],
    ['!(profile.isHomeowner || profile.hasOverdraft)', 'is a homeowner'],
  ])('%s: %s', (when, explanation) => expect(explain(when).explanation).toBe(explanation));

  it.each([
    // A scope the words cannot say: the expression itself, with its value.
    [
      `size(transactions.filter(t, t.merchant.contains(t.category))) == 0.0`,
      'size(transactions.filter(t, t.merchant.contains(t.category))) is 0, equal to 0',
    ],
    [
      'size(transactions.filter(t, t.daysAgo < 30.0)) > 1.0',
      'size(transactions.filter(t, t.daysAgo < 30.0)) is 5, more than 1',
    ],
    [
      'size(transactions.filter(t, t.category == t.merchant)) == 0.0',
      'size(transactions.filter(t, t.category == t.merchant)) is 0, equal to 0',
    ],
    [
      'size(transactions.filter(t, profile.age > 18.0)) > 1.0',
      'size(transactions.filter(t, profile.age > 18.0)) is 6, more than 1',
    ],
    [
      'size(transactions.filter(t, t.direction == "sideways")) == 0.0',
      'size(transactions.filter(t, t.direction == "sideways")) is 0, equal to 0',
    ],
    [
      'size(transactions.filter(t, t.amount > 1.0 && true)) > 1.0',
      'size(transactions.filter(t, t.amount > 1.0 && true)) is 6, more than 1',
    ],
    ['sum(transactions.map(t, t.daysAgo)) > 1.0', 'sum(transactions.map(t, t.daysAgo)) is 124, more than 1'],
    ['sum([1.0, 2.0]) > 1.0', 'sum([1.0, 2.0]) is 3, more than 1'],
    // Another operand no words describe, and a list that is not all text.
    ['balances.savings > balances.current * 2.0', 'savings 300.00 GBP, more than balances.current * 2.0 (-240)'],
    ['[1.0].exists(x, x > 0.0)', '"[1.0].exists(x, x > 0.0)" holds'],
    ['transactions.exists(t, t.daysAgo < 1.0)', '"transactions.exists(t, t.daysAgo < 1.0)" does not hold'],
  ])('%s falls back to the expression: %s', (when, explanation) => expect(explain(when).explanation).toBe(explanation));
});
