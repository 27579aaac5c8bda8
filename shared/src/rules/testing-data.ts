import type { CustomerFacts, Transaction } from './customer-schema';

const CATEGORIES = [
  'energy',
  'groceries',
  'subscriptions',
  'eating-out',
  'transport',
  'bank-charges',
  'salary',
  'rent',
  'gambling',
];
const MERCHANTS = ['British Gas', 'Tesco', 'Netflix', 'Spotify', 'Deliveroo', 'TfL', 'Octopus', 'Acme Ltd', 'Bet365'];

/** A deterministic pseudo-random customer: the same seed gives the same facts (for tests and benchmarks). */
export function sampleCustomer(seed: number, transactionCount = 300): CustomerFacts {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const transactions: Transaction[] = Array.from({ length: transactionCount }, () => {
    const category = pick(CATEGORIES);
    return {
      amount: Math.round(next() * (category === 'salary' ? 400_000 : 20_000)) / 100,
      direction: category === 'salary' ? 'in' : next() < 0.05 ? 'in' : 'out',
      category,
      merchant: pick(MERCHANTS),
      daysAgo: Math.floor(next() * 120),
    };
  });
  return {
    profile: {
      age: 18 + Math.floor(next() * 60),
      tenureMonths: Math.floor(next() * 120),
      region: pick(['london', 'north-west', 'scotland', 'wales']),
      employmentStatus: pick(['employed', 'self-employed', 'student', 'retired']),
      creditScore: Math.floor(300 + next() * 600),
      isHomeowner: next() < 0.4,
      hasOverdraft: next() < 0.5,
    },
    balances: {
      current: Math.round((next() * 6_000 - 1_000) * 100) / 100,
      savings: Math.round(next() * 20_000 * 100) / 100,
      overdraftLimit: 500,
      overdraftUsed: Math.round(next() * 500 * 100) / 100,
      creditCardDebt: Math.round(next() * 5_000 * 100) / 100,
    },
    salary: {
      monthlyNet: Math.round(1_500 + next() * 4_000),
      paydayOfMonth: 25,
      daysUntilPayday: Math.floor(next() * 30),
    },
    transactions,
  };
}
