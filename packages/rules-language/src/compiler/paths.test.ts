/**
 * Every specialised path of the compiler, reached on purpose: comparisons of a customer field or a macro element
 * with a literal (each operator, each side of the data), `in` lists, && / || chains of two to six terms (unrolled
 * up to four, a loop beyond), loops fused by bucket (category, merchant, direction) and by day window with
 * residual terms, loops that cannot be fused, each reduction. Each expression is compiled and compared with the
 * reference interpreter on customers with no, one, a few and many transactions: a fast path that answers
 * differently from the definition of the language fails here by name.
 */
import { checkExpression } from '../checker';
import { CUSTOMER_VARIABLES, type CustomerFacts } from '../customer-schema';
import { interpret } from '../interpreter';
import { parseExpression } from '../parser';
import { sampleCustomer } from '../testing/sample-customer';
import { AggregatePlan, Compiler } from '.';

const OPERATORS = ['==', '!=', '<', '<=', '>', '>='];

/** Customers whose data meets the literals below from both sides, and with every amount of transactions. */
function customers(): CustomerFacts[] {
  const list = [1, 3, 40, 300].flatMap((count) => [1, 2, 7].map((seed) => sampleCustomer(seed * 31 + count, count)));
  const edge = sampleCustomer(5, 6);
  // Equal values: ties decide <= against <, and max/min when two transactions share the extreme.
  edge.profile.age = 40;
  const older = sampleCustomer(13, 3);
  older.profile.age = 55;
  edge.balances.current = 100;
  edge.balances.savings = 100;
  edge.transactions = [
    { amount: 50, direction: 'out', category: 'energy', merchant: 'Octopus', daysAgo: 1 },
    { amount: 50, direction: 'out', category: 'energy', merchant: 'EDF', daysAgo: 30 },
    { amount: -20, direction: 'in', category: 'groceries', merchant: 'Tesco', daysAgo: 30 },
    { amount: 120.5, direction: 'out', category: 'gambling', merchant: 'Bet365', daysAgo: 31 },
    { amount: 0, direction: 'out', category: 'coffee', merchant: 'Costa', daysAgo: 90 },
    { amount: 1, direction: 'out', category: 'coffee', merchant: 'Greggs', daysAgo: 90 },
    { amount: 7.25, direction: 'in', category: 'salary', merchant: 'Acme Ltd', daysAgo: 119 },
  ];
  const none = { ...sampleCustomer(9, 0), transactions: [] };
  const single = sampleCustomer(11, 0);
  single.transactions = [{ amount: 30, direction: 'out', category: 'energy', merchant: 'EDF', daysAgo: 0 }];
  single.profile.region = 'london';
  // Each term of the && chain false alone, and each term of the || chain true alone: every term decides once.
  const allTrue = { age: 30, current: 100, payday: 10, score: 500, savings: 10, tenure: 5 };
  const falsify = [{ age: 20 }, { current: -5 }, { payday: 28 }, { score: 300 }, { savings: -1 }, { tenure: -1 }];
  const anyFalse = { age: 30, current: 100, payday: 10, score: 500, savings: 100, tenure: 5 };
  const verify = [{ age: 75 }, { current: -5 }, { payday: 1 }, { score: 900 }, { savings: 25_000 }, { tenure: 59 }];
  const withFacts = (seed: number, f: typeof allTrue): CustomerFacts => {
    const c = sampleCustomer(seed, 3);
    c.profile.age = f.age;
    c.balances.current = f.current;
    c.salary.daysUntilPayday = f.payday;
    c.profile.creditScore = f.score;
    c.balances.savings = f.savings;
    c.profile.tenureMonths = f.tenure;
    return c;
  };
  const chains = [
    withFacts(100, allTrue),
    ...falsify.map((change, i) => withFacts(101 + i, { ...allTrue, ...change })),
    withFacts(110, anyFalse),
    ...verify.map((change, i) => withFacts(111 + i, { ...anyFalse, ...change })),
  ];
  // Days the fast day index does not take (fractional, beyond 4,095), and two merchants whose names share a
  // slot of the bucket table (same length, first and last letter).
  const odd = sampleCustomer(17, 0);
  odd.profile.region = 'energy';
  odd.transactions = [
    { amount: 10, direction: 'out', category: 'energy', merchant: 'Tesco', daysAgo: 2.5 },
    { amount: 20, direction: 'out', category: 'energy', merchant: 'Tbsco', daysAgo: 5000 },
    { amount: 30, direction: 'in', category: 'rent', merchant: 'Tbsco', daysAgo: 30 },
    { amount: 40, direction: 'out', category: 'rent', merchant: 'Tesco', daysAgo: 31 },
  ];
  const colliding = sampleCustomer(19, 0);
  colliding.transactions = [
    { amount: 5, direction: 'out', category: 'coffee', merchant: 'Tbsco', daysAgo: 3 },
    { amount: 6, direction: 'out', category: 'coffee', merchant: 'Tcsco', daysAgo: 4 },
    { amount: 7, direction: 'out', category: 'coffee', merchant: 'Tesco', daysAgo: 30 },
  ];
  return [...list, edge, older, none, single, ...chains, odd, colliding];
}

/** Expressions that give everyone the same answer on purpose. */
const CONSTANT = new Set([
  'profile.region in ["atlantis"]',
  '"london" in ["london", profile.region]',
  'true || profile.isHomeowner',
  // Nothing matches: what each reduction gives for no element.
  'sum(transactions.filter(t, t.category == "energy" && t.category == "groceries").map(t, t.amount))',
  'size(transactions.filter(t, false))',
  'avg(transactions.filter(t, t.category == "nothing").map(t, t.amount))',
  'max(transactions.filter(t, t.category == "nothing").map(t, t.amount))',
]);
const ALL_OF = [
  'profile.age > 25.0',
  'balances.current > 0.0',
  'salary.daysUntilPayday < 25.0',
  'profile.creditScore > 350.0',
  'balances.savings >= 0.0',
  'profile.tenureMonths >= 0.0',
];
const ANY_OF = [
  'profile.age > 70.0',
  'balances.current < 0.0',
  'salary.daysUntilPayday < 3.0',
  'profile.creditScore > 850.0',
  'balances.savings > 24000.0',
  'profile.tenureMonths > 58.0',
];

const texts: string[] = [
  // A customer field against a literal: below, at and above the data; and against another field.
  ...OPERATORS.flatMap((op) => [30, 40, 55].map((n) => `profile.age ${op} ${n}.0`)),
  ...OPERATORS.map((op) => `balances.current ${op} balances.savings`),
  ...['==', '!='].map((op) => `profile.region ${op} "london"`),
  'profile.region in ["london", "wales"]',
  'profile.region in ["atlantis"]',
  '"london" in ["london", profile.region]',
  'profile.isHomeowner == true',
  // A macro element against a literal, each operator, inside each reduction.
  ...OPERATORS.flatMap((op) =>
    [1, 30, 50].flatMap((n) => [
      `transactions.exists(t, t.daysAgo ${op} ${n}.0)`,
      `transactions.all(t, t.amount ${op} ${n}.0)`,
      `size(transactions.filter(t, t.amount ${op} ${n}.0))`,
    ]),
  ),
  'transactions.exists(t, t.category in ["energy", "coffee"])',
  'transactions.exists(t, t.merchant == "Tesco" || t.merchant == "Costa")',
  'transactions.all(t, t.direction != "in")',
  'transactions.exists(t, 50.0 == t.amount)',
  // && and || chains of 2 to 6 terms, whose terms vary between customers.
  ...[2, 3, 4, 5, 6].flatMap((n) => [ALL_OF.slice(0, n).join(' && '), ANY_OF.slice(0, n).join(' || ')]),
  'profile.isHomeowner && profile.hasOverdraft || profile.age > 60.0',
  'profile.isHomeowner || profile.hasOverdraft || profile.age > 70.0 || balances.current < 0.0',
  '!(profile.isHomeowner && profile.hasOverdraft) || false',
  // Aggregates fused by bucket, by window, with residual terms, and not fused at all.
  ...['sum', 'avg', 'max', 'min'].flatMap((reduce) => [
    `${reduce}(transactions.map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.category == "energy").map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.category in ["energy", "groceries"] && t.daysAgo <= 30.0).map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.merchant == "Tesco").map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.merchant in ["Octopus", "EDF"] && t.amount > 10.0).map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.direction == "out" && t.daysAgo < 31.0).map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.daysAgo <= 90.0).map(t, t.amount * 2.0))`,
    `${reduce}(transactions.filter(t, t.amount > profile.age).map(t, t.amount))`,
    `${reduce}(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "energy" && t.amount >= 50.0).map(t, t.daysAgo))`,
  ]),
  'size(transactions.filter(t, t.direction == "in"))',
  'size(transactions.filter(t, t.daysAgo <= 0.0))',
  'size(transactions.filter(t, t.daysAgo < 30.0 && t.category == "energy"))',
  'transactions.all(t, t.daysAgo <= 119.0 && t.category != "rent")',
  'transactions.exists(t, t.daysAgo <= 30.0 && t.merchant == "Bet365")',
  'size(transactions.filter(t, t.amount > 100.0).filter(t, t.direction == "out"))',
  'sum(transactions.filter(t, t.category == "energy").map(t, t.amount).filter(a, a > 10.0))',
  // Arithmetic, conditionals, calls.
  'profile.age * 2.0 - balances.current / 4.0 + 1.0',
  'profile.isHomeowner ? balances.savings : -balances.current',
  'max(profile.age, salary.daysUntilPayday) + min(1.0, balances.savings / 10000.0)',
  'profile.region.startsWith("lon") || profile.employmentStatus.endsWith("ed") || profile.region.contains("al")',
  'size(transactions) > 5.0 && size([1.0, 2.0]) == 2.0',
  // A list whose elements are not all literals: no set is built ahead.
  'profile.region in ["london", profile.employmentStatus]',
  'transactions.exists(t, t.merchant in ["Tesco", t.category])',
  // Loops over lists other than the transactions: hoisted (customer data only) and inline (inside a macro).
  ...['exists', 'all'].map((m) => `[balances.current, balances.savings, profile.age].${m}(x, x > 40.0)`),
  'size([balances.current, balances.savings, profile.age].filter(x, x > 40.0))',
  ...['sum', 'avg', 'max', 'min'].flatMap((reduce) => [
    `${reduce}([balances.current, balances.savings, profile.age].filter(x, x > 40.0).map(x, x * 2.0))`,
    `${reduce}([balances.current, balances.savings, profile.age].map(x, x))`,
    `size(transactions.filter(t, ${reduce}([t.amount, t.daysAgo].map(x, x)) > 40.0))`,
    `size(transactions.filter(t, ${reduce}([t.amount, t.daysAgo, 500.0].filter(x, x < 100.0).map(x, x)) > 20.0))`,
  ]),
  'transactions.exists(t, [t.amount, t.daysAgo].all(x, x > 10.0))',
  'transactions.exists(t, [t.amount, t.daysAgo].exists(x, x > 100.0))',
  'size(transactions.filter(t, size([t.amount, t.daysAgo].filter(x, x > 20.0)) == 1.0))',
  // Windows at their bounds, and keys that share a slot of the bucket table.
  ...['<= 30.0', '< 30.0', '<= 31.0', '< 31.0', '<= 2.5', '<= 5000.0'].map(
    (bound) => `sum(transactions.filter(t, t.daysAgo ${bound}).map(t, t.amount))`,
  ),
  'sum(transactions.filter(t, t.merchant in ["Tesco", "Tbsco"]).map(t, t.amount))',
  'size(transactions.filter(t, t.merchant == "Tbsco"))',
  'size(transactions.filter(t, t.merchant == "Tcsco" && t.daysAgo <= 4.0))',
  'max(transactions.filter(t, t.merchant == "Tesco" && t.daysAgo <= 30.0).map(t, t.amount))',
  // Shapes that look like a bucket or a window and are not: each must be evaluated as written.
  'sum(transactions.filter(t, t.amount <= 30.0).map(t, t.amount))',
  'sum(transactions.filter(t, t.daysAgo >= 30.0).map(t, t.amount))',
  'sum(transactions.filter(t, 30.0 >= t.daysAgo).map(t, t.amount))',
  'sum(transactions.filter(t, t.daysAgo <= profile.age).map(t, t.amount))',
  'sum(transactions.filter(t, t.daysAgo <= salary.daysUntilPayday && t.category == "energy").map(t, t.amount))',
  'size(transactions.filter(t, t.category == profile.region))',
  'size(transactions.filter(t, t.category != "energy"))',
  'size(transactions.filter(t, "energy" == t.category))',
  'size(transactions.filter(t, t.category in ["energy", profile.region]))',
  'size(transactions.filter(t, t.amount in [50.0, 30.0]))',
  'size(transactions.filter(t, t.direction == "in" || t.category == "energy"))',
  'size(transactions.filter(t, !(t.category == "energy")))',
  'transactions.exists(t, transactions.exists(u, u.daysAgo <= 1.0 && t.daysAgo <= 1.0))',
  'size(transactions.filter(t, transactions.exists(u, u.merchant == t.merchant && u.daysAgo < t.daysAgo)))',
  'sum(transactions.filter(t, t.category == "energy" && t.category == "groceries").map(t, t.amount))',
  'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.daysAgo <= 1.0).map(t, t.amount))',
  'sum(transactions.map(t, t.daysAgo <= 30.0 ? t.amount : 0.0))',
  'sum(transactions.filter(t, true).map(t, t.amount))',
  'size(transactions.filter(t, false))',
  'avg(transactions.filter(t, t.category == "nothing").map(t, t.amount))',
  'max(transactions.filter(t, t.category == "nothing").map(t, t.amount))',
  'true ? profile.age : balances.current',
  'false && profile.isHomeowner || profile.hasOverdraft',
  'true || profile.isHomeowner',
  'true && profile.isHomeowner',
  'false || profile.hasOverdraft',
  '(false ? 1.0 : balances.current) > 0.0',
  '-(-profile.age) > 30.0 && !(!profile.isHomeowner)',
  // Names inside every kind of node decide whether a loop may be computed once per customer.
  'transactions.exists(t, [-t.amount].exists(x, x < -100.0))',
  'transactions.exists(t, [t.amount > 100.0 ? 1.0 : 0.0].exists(x, x > 0.5))',
  'transactions.exists(t, [true ? t.amount : 0.0].exists(x, x > 100.0))',
  'transactions.exists(t, [false ? 0.0 : t.amount].exists(x, x > 100.0))',
  'transactions.exists(t, [t.merchant.size()].exists(x, x > 6.0))',
  'transactions.exists(t, transactions.filter(u, u.merchant == t.merchant).exists(u, u.amount > 100.0))',
  // Loops written in other ways.
  'sum(transactions.filter(t, t.amount > 10.0).map(u, u.amount))',
  'transactions.filter(t, t.amount > 100.0).size() > 2.0',
  'max(transactions.map(t, t.amount).filter(a, a < 100.0))',
];

/** Aggregates that share passes when compiled into one plan (the engine compiles a whole rule file so). */
const FUSED = texts.filter((text) => text.includes('transactions.') && !text.includes('.exists(t, ['));

describe('every compiled path agrees with the interpreter', () => {
  const people = customers();
  it.each(texts)('%s', (text) => {
    const expr = parseExpression(text);
    expect(checkExpression(expr, CUSTOMER_VARIABLES).issues).toEqual([]);
    const plan = new AggregatePlan();
    const compiled = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES))).compile(expr);
    const results = people.map((customer) => {
      const facts = customer as unknown as Record<string, unknown>;
      return compiled(facts, [], plan.computeAll(facts));
    });
    expect(results).toEqual(people.map((customer) => interpret(expr, customer as unknown as Record<string, unknown>)));
  });

  it('agrees when every aggregate shares one plan, as a whole rule file does', () => {
    const plan = new AggregatePlan();
    const compiler = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES)));
    const exprs = FUSED.map((text) => parseExpression(text));
    const compiled = exprs.map((expr) => compiler.compile(expr));
    for (const customer of people) {
      const facts = customer as unknown as Record<string, unknown>;
      const slots = plan.computeAll(facts);
      expect(FUSED.map((text, i) => [text, compiled[i]!(facts, [], slots)])).toEqual(
        FUSED.map((text, i) => [text, interpret(exprs[i]!, facts)]),
      );
    }
    expect(FUSED.length).toBeGreaterThan(100);
  });

  it('meets both answers of every condition among these customers (so that each comparison is really tested)', () => {
    const onlyOneAnswer = texts.filter((text) => {
      const expr = parseExpression(text);
      const answers = new Set(
        people.map((c) => JSON.stringify(interpret(expr, c as unknown as Record<string, unknown>))),
      );
      return answers.size < 2 && !CONSTANT.has(text);
    });
    // An expression every customer answers alike tests one answer of the path only.
    expect(onlyOneAnswer).toEqual([]);
  });
});
