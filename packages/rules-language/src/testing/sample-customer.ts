import type { CustomerFacts, Transaction } from '../customer-schema';

interface Habit {
  category: string;
  merchants: readonly string[];
  /** Typical amount in pounds, and how many such payments in 30 days. */
  amount: number;
  perMonth: number;
  /** Share of customers who have this habit at all. */
  prevalence: number;
}

const HABITS: readonly Habit[] = [
  { category: 'groceries', merchants: ['Tesco', 'Lidl', 'Sainsbury'], amount: 35, perMonth: 8, prevalence: 0.95 },
  { category: 'energy', merchants: ['British Gas', 'Octopus', 'EDF'], amount: 95, perMonth: 1, prevalence: 0.8 },
  {
    category: 'subscriptions',
    merchants: ['Netflix', 'Spotify', 'Disney+', 'Gym Group', 'iCloud'],
    amount: 11,
    perMonth: 3,
    prevalence: 0.8,
  },
  { category: 'eating-out', merchants: ['Deliveroo', 'Pret', 'Nando’s'], amount: 18, perMonth: 6, prevalence: 0.7 },
  { category: 'transport', merchants: ['TfL', 'Trainline', 'Shell'], amount: 7, perMonth: 14, prevalence: 0.75 },
  { category: 'rent', merchants: ['Landlord Ltd'], amount: 950, perMonth: 1, prevalence: 0.45 },
  { category: 'bank-charges', merchants: ['Bank fee'], amount: 12, perMonth: 0.6, prevalence: 0.25 },
  { category: 'gambling', merchants: ['Bet365', 'Betfair', 'Lottery'], amount: 25, perMonth: 6, prevalence: 0.15 },
  { category: 'shopping', merchants: ['Amazon', 'Argos', 'Apple'], amount: 40, perMonth: 3, prevalence: 0.8 },
  { category: 'coffee', merchants: ['Costa', 'Greggs'], amount: 3.5, perMonth: 10, prevalence: 0.5 },
];

/**
 * A deterministic pseudo-random customer with habits of their own: the same seed
 * gives the same facts. Used by tests, the demo and the benchmarks.
 */
export function sampleCustomer(seed: number, transactionCount = 300): CustomerFacts {
  let state = (seed * 2_654_435_761) >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const monthlyNet = Math.round(1_200 + next() * 4_000);
  const habits = HABITS.filter((h) => next() < h.prevalence).map((h) => ({ ...h, intensity: 0.4 + next() * 1.6 }));
  const weights = habits.map((h) => h.perMonth * h.intensity);
  const totalWeight = weights.reduce((a, b) => a + b, 0) || 1;
  const transactions: Transaction[] = [];
  // Salary: monthly, in.
  for (let daysAgo = Math.floor(next() * 30); daysAgo < 120; daysAgo += 30) {
    transactions.push({ amount: monthlyNet, direction: 'in', category: 'salary', merchant: 'Acme Ltd', daysAgo });
  }
  while (transactions.length < transactionCount && habits.length > 0) {
    let roll = next() * totalWeight;
    const index = weights.findIndex((w) => (roll -= w) < 0);
    const habit = habits[index === -1 ? habits.length - 1 : index]!;
    const large = next() < 0.01;
    transactions.push({
      amount: Math.round(habit.amount * habit.intensity * (0.5 + next()) * (large ? 40 : 1) * 100) / 100,
      direction: next() < 0.03 ? 'in' : 'out',
      category: habit.category,
      merchant: pick(habit.merchants),
      daysAgo: Math.floor(next() * 120),
    });
  }
  const hasOverdraft = next() < 0.5;
  return {
    profile: {
      age: 18 + Math.floor(next() * 60),
      tenureMonths: Math.floor(next() * 60),
      region: pick(['london', 'north-west', 'scotland', 'wales', 'south-east']),
      employmentStatus: pick(['employed', 'employed', 'employed', 'self-employed', 'student', 'retired']),
      creditScore: Math.floor(300 + next() * 600),
      isHomeowner: next() < 0.4,
      hasOverdraft,
    },
    balances: {
      current: Math.round((next() * 3_000 - 300) * 100) / 100,
      savings: Math.round(next() ** 2 * 25_000 * 100) / 100,
      overdraftLimit: hasOverdraft ? 500 : 0,
      overdraftUsed: hasOverdraft && next() < 0.4 ? Math.round(next() * 500 * 100) / 100 : 0,
      creditCardDebt: Math.round(next() ** 2 * 8_000 * 100) / 100,
    },
    salary: { monthlyNet, paydayOfMonth: 25, daysUntilPayday: Math.floor(next() * 30) },
    transactions,
  };
}
