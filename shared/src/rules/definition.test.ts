import fc from 'fast-check';
import { checkExpression } from './checker';
import { CUSTOMER_VARIABLES } from './customer-schema';
import {
  canonicalCondition,
  celToCondition,
  celToOperand,
  conditionSchema,
  conditionToCel,
  conditionToExpr,
  FIELD_PATHS,
  NotStorableError,
  operandToCel,
  operandToExpr,
  STORED_LIMITS,
  storedSnoopSchema,
  type Condition,
  type Operand,
  type TransactionFilter,
} from './definition';
import { parseExpression } from './parser';

const energySpend: Operand = { aggregate: 'sum', where: { withinDays: 90, direction: 'out', categories: ['energy'] } };

describe('stored definitions -> CEL', () => {
  it('prints a stored condition as readable CEL', () => {
    const condition: Condition = {
      all: [
        { compare: [energySpend, '>', { value: 300 }] },
        { is: 'profile.isHomeowner' },
        { not: { oneOf: { field: 'profile.region', values: ['scotland', 'wales'] } } },
      ],
    };
    expect(conditionToCel(condition)).toBe(
      'sum(transactions.filter(t, t.daysAgo <= 90.0 && t.direction == "out" && t.category == "energy").map(t, t.amount)) > 300.0 && ' +
        'profile.isHomeowner && !(profile.region in ["scotland", "wales"])',
    );
  });

  it('prints counts, caps and transaction existence', () => {
    expect(
      operandToCel({
        least: [
          { value: 1 },
          {
            arithmetic: '/',
            left: { aggregate: 'count', where: { categories: ['gambling', 'betting'] } },
            right: { value: 10 },
          },
        ],
      }),
    ).toBe('min(1.0, size(transactions.filter(t, t.category in ["gambling", "betting"])) / 10.0)');
    expect(conditionToCel({ anyTransaction: { merchantContains: 'Bet', minAmount: 50 } })).toBe(
      'transactions.exists(t, t.merchant.contains("Bet") && t.amount >= 50.0)',
    );
  });

  it('reads CEL that is not a stored shape as a clear error', () => {
    expect(() => celToCondition('profile.age * 2.0 > 3.0 ? true : false')).toThrow(NotStorableError);
    expect(() => celToOperand('sum(transactions.map(t, t.daysAgo))')).toThrow(/is not a stored value/);
    expect(() => celToCondition('transactions.exists(t, t.category == "x" && t.daysAgo <= 3.0)')).toThrow(
      /terms out of order/,
    );
  });

  it('refuses a stored definition too deep or too large with the reason, before its shape (never a stack overflow)', () => {
    let deep: Condition = { is: 'profile.isHomeowner' };
    for (let i = 0; i < 2_000; i++) deep = { not: deep };
    const wide: Condition = { all: Array.from({ length: 10_000 }, (): Condition => ({ is: 'profile.isHomeowner' })) };
    const row = (condition: unknown) => ({
      id: 'too-big',
      name: 'Too big',
      status: 'active',
      audience: 'everyone',
      contentRef: 'cms:x',
      validFrom: '2026-01-01',
      version: 1,
      condition,
      score: { value: 0.5 },
    });
    const messages = [deep, wide].map((condition) => {
      const parsed = storedSnoopSchema.safeParse(row(condition));
      return parsed.success ? 'accepted' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    });
    expect(messages).toEqual([
      [`condition: the condition is nested more than ${STORED_LIMITS.depth} levels deep; split it into simpler snoops`],
      [`condition: the condition is made of more than ${STORED_LIMITS.parts} parts; split it into simpler snoops`],
    ]);
  });

  it('validates stored JSON with a schema that names the problem', () => {
    expect(conditionSchema.safeParse({ compare: [{ field: 'profile.age' }, '>', { value: 18 }] }).success).toBe(true);
    const wrong = conditionSchema.safeParse({ compare: [{ field: 'profile.shoeSize' }, '>', { value: 18 }] });
    expect(wrong.success).toBe(false);
  });
});

const filter: fc.Arbitrary<TransactionFilter> = fc.record(
  {
    withinDays: fc.integer({ min: 1, max: 400 }),
    direction: fc.constantFrom('in' as const, 'out' as const),
    categories: fc.array(fc.constantFrom('energy', 'groceries', 'gambling', 'eating-out'), {
      minLength: 1,
      maxLength: 3,
    }),
    merchants: fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 2 }),
    merchantContains: fc.string({ minLength: 1, maxLength: 6 }),
    minAmount: fc.integer({ min: 0, max: 5000 }),
    maxAmount: fc.integer({ min: 0, max: 5000 }).map((n) => n / 4),
  },
  { requiredKeys: [] },
);

const numberFields = FIELD_PATHS.filter((f) => !/region|employmentStatus|isHomeowner|hasOverdraft/.test(f));

const { operand, condition } = fc.letrec<{ operand: Operand; condition: Condition }>((tie) => ({
  operand: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...numberFields).map((field): Operand => ({ field })),
    fc
      .integer({ min: -10_000, max: 10_000 })
      .filter((n) => n !== 0)
      .map((n): Operand => ({ value: n / 8 })),
    fc
      .tuple(
        fc.constantFrom('sum' as const, 'avg' as const, 'max' as const, 'min' as const, 'count' as const),
        fc.option(filter, { nil: undefined }),
      )
      .map(([aggregate, where]): Operand => (where ? { aggregate, where } : { aggregate })),
    fc
      .tuple(fc.constantFrom('+' as const, '-' as const, '*' as const, '/' as const), tie('operand'), tie('operand'))
      .map(([arithmetic, left, right]): Operand => ({ arithmetic, left, right })),
    fc.tuple(tie('operand'), tie('operand')).map(([a, b]): Operand => ({ least: [a, b] })),
    fc.tuple(tie('operand'), tie('operand')).map(([a, b]): Operand => ({ greatest: [a, b] })),
  ),
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(
        tie('operand'),
        fc.constantFrom('<' as const, '<=' as const, '>' as const, '>=' as const, '==' as const, '!=' as const),
        tie('operand'),
      )
      .map(([l, op, r]): Condition => ({ compare: [l, op, r] })),
    fc.constantFrom('profile.isHomeowner' as const, 'profile.hasOverdraft' as const).map((is): Condition => ({ is })),
    fc
      .array(fc.constantFrom('london', 'wales', 'scotland'), { minLength: 1, maxLength: 3 })
      .map((values): Condition => ({ oneOf: { field: 'profile.region', values } })),
    filter.map((anyTransaction): Condition => ({ anyTransaction })),
    fc.array(tie('condition'), { minLength: 2, maxLength: 3 }).map((all): Condition => ({ all })),
    fc.array(tie('condition'), { minLength: 2, maxLength: 3 }).map((any): Condition => ({ any })),
    tie('condition').map((not): Condition => ({ not })),
  ),
}));

describe('stored definitions <-> CEL properties', () => {
  it('a stored condition survives CEL text unchanged (canonical form), and type-checks as a condition', () => {
    fc.assert(
      fc.property(condition, (stored) => {
        const canonical = canonicalCondition(stored);
        const text = conditionToCel(canonical);
        expect(celToCondition(text)).toEqual(canonical);
        expect(conditionToCel(celToCondition(text))).toBe(text);
        const checked = checkExpression(parseExpression(text), CUSTOMER_VARIABLES);
        expect(checked.issues).toEqual([]);
        expect(checked.type.kind).toBe('bool');
        expect(conditionSchema.safeParse(canonical).success).toBe(true);
        expect(conditionToExpr(canonical)).toBeDefined();
      }),
      { numRuns: 400 },
    );
  });

  it('a stored value survives CEL text unchanged and type-checks as a number', () => {
    fc.assert(
      fc.property(operand, (stored) => {
        const text = operandToCel(stored);
        expect(celToOperand(text)).toEqual(stored);
        expect(checkExpression(operandToExpr(stored), CUSTOMER_VARIABLES).type.kind).toBe('double');
      }),
      { numRuns: 400 },
    );
  });
});
