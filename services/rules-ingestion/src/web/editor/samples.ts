/// <reference lib="dom" />
/**
 * The test panel's sample customers: four people every snoop writer can reason about, and any the writer adds, kept
 * in this browser (local storage) so they are there next time. A sample is the customer facts a rule sees, as JSON.
 */
import type { CustomerFacts, SampleCustomer, Transaction } from '@backbone/rules-language';

const tx = (
  amount: number,
  category: string,
  merchant: string,
  daysAgo: number,
  direction: 'in' | 'out' = 'out',
): Transaction => ({
  amount,
  category,
  merchant,
  daysAgo,
  direction,
});

const profile = (overrides: Partial<CustomerFacts['profile']>): CustomerFacts['profile'] => ({
  age: 34,
  tenureMonths: 24,
  region: 'London',
  employmentStatus: 'employed',
  creditScore: 700,
  isHomeowner: false,
  hasOverdraft: false,
  ...overrides,
});

export const DEFAULT_SAMPLES: readonly SampleCustomer[] = [
  {
    name: 'Priya, saver',
    facts: {
      profile: profile({ age: 41, tenureMonths: 60, creditScore: 880, isHomeowner: true }),
      balances: { current: 2400, savings: 18_000, overdraftLimit: 0, overdraftUsed: 0, creditCardDebt: 0 },
      salary: { monthlyNet: 3900, paydayOfMonth: 28, daysUntilPayday: 12 },
      transactions: [
        tx(3900, 'salary', 'Acme Ltd', 16, 'in'),
        tx(82.3, 'groceries', 'Tesco', 3),
        tx(45, 'eating-out', 'Pret', 9),
      ],
    },
  },
  {
    name: 'Tom, eats out',
    facts: {
      profile: profile({ age: 27, tenureMonths: 14, region: 'Manchester', creditScore: 640, hasOverdraft: true }),
      balances: { current: -180, savings: 150, overdraftLimit: 500, overdraftUsed: 180, creditCardDebt: 1200 },
      salary: { monthlyNet: 2100, paydayOfMonth: 25, daysUntilPayday: 4 },
      transactions: [
        tx(2100, 'salary', 'Northern Rail', 26, 'in'),
        tx(64.5, 'eating-out', 'Deliveroo', 1),
        tx(38.2, 'eating-out', 'Nando’s', 6),
        tx(120, 'eating-out', 'Dishoom', 12),
        tx(95, 'eating-out', 'Deliveroo', 20),
      ],
    },
  },
  {
    name: 'Sam, student',
    facts: {
      profile: profile({
        age: 19,
        tenureMonths: 5,
        region: 'Wales',
        employmentStatus: 'student',
        creditScore: 520,
        hasOverdraft: true,
      }),
      balances: { current: -640, savings: 0, overdraftLimit: 1000, overdraftUsed: 640, creditCardDebt: 0 },
      salary: { monthlyNet: 0, paydayOfMonth: 1, daysUntilPayday: 20 },
      transactions: [
        tx(1500, 'student-loan', 'Student Finance', 30, 'in'),
        tx(12, 'gambling', 'Bet365', 2),
        tx(25, 'groceries', 'Aldi', 4),
      ],
    },
  },
  {
    name: 'Jo, retired',
    facts: {
      profile: profile({
        age: 71,
        tenureMonths: 180,
        region: 'Scotland',
        employmentStatus: 'retired',
        creditScore: 790,
        isHomeowner: true,
      }),
      balances: { current: 5200, savings: 42_000, overdraftLimit: 0, overdraftUsed: 0, creditCardDebt: 300 },
      salary: { monthlyNet: 1700, paydayOfMonth: 1, daysUntilPayday: 24 },
      transactions: [
        tx(1700, 'pension', 'State Pension', 6, 'in'),
        tx(61, 'groceries', 'Waitrose', 2),
        tx(240, 'travel', 'LNER', 15),
      ],
    },
  },
];

const STORAGE_KEY = 'snoop-editor.samples';

/** The writer's own samples kept in this browser, after the defaults. */
export function loadSamples(storage: Pick<Storage, 'getItem'> = localStorage): SampleCustomer[] {
  try {
    const own = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]') as SampleCustomer[];
    return [...DEFAULT_SAMPLES, ...(Array.isArray(own) ? own : [])];
  } catch {
    return [...DEFAULT_SAMPLES];
  }
}

export function saveOwnSamples(own: readonly SampleCustomer[], storage: Pick<Storage, 'setItem'> = localStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(own));
}

/** A sample the writer typed: its facts must have the three groups and a list of transactions. */
export function sampleFromJson(name: string, json: string): SampleCustomer {
  const facts = JSON.parse(json) as CustomerFacts;
  for (const group of ['profile', 'balances', 'salary'] as const)
    if (!facts || typeof facts[group] !== 'object')
      throw new Error(`the sample has no "${group}": copy one of the samples and change it`);
  if (!Array.isArray(facts.transactions))
    throw new Error('the sample has no "transactions" list (it may be empty: [])');
  return { name: name.trim() || 'my sample', facts };
}
