import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import { checkExpression } from './checker';
import { CUSTOMER_VARIABLES } from './customer-schema';
import {
  canonicalCondition,
  conditionSchema,
  conditionToCel,
  FIELD_PATHS,
  operandSchema,
  operandToCel,
  operandToExpr,
  STORED_LIMITS,
  storedSnoopSchema,
  type Condition,
  type Operand,
  toSnoopDefinition,
  type TransactionFilter,
} from './definition';
import { celToCondition, celToOperand, NotStorableError } from './definition-from-cel';
import { parseExpression } from './parser';
import { printExpression } from './printer';

const validRow = {
  id: 'energy-switch',
  name: 'Switch energy',
  status: 'active',
  audience: 'everyone',
  contentRef: 'cms:energy',
  validFrom: '2026-01-01',
  version: 1,
  condition: { is: 'profile.isHomeowner' },
  score: { value: 0.5 },
};

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

  it('keeps the sign of zero in printed rules, and stores zero without one (as JSON does)', () => {
    expect(printExpression({ kind: 'literal', value: -0, span: { start: 0, end: 0 } })).toBe('-0.0');
    expect(operandToCel({ arithmetic: '/', left: { value: 1 }, right: { value: -0 } })).toBe('1.0 / -0.0');
    const stored = storedSnoopSchema.parse({ ...validRow, score: { value: -0 } });
    expect(Object.is((stored.score as { value: number }).value, 0)).toBe(true);
    expect(toSnoopDefinition(stored).score).toBe('0.0');
    expect(() => celToOperand('1.0 / -0.0')).toThrow('a stored zero has no sign: write 0.0');
  });

  it.each([
    ['a string over 200 characters', () => celToOperand(`"${'a'.repeat(201)}"`), /value\.value: Too big/],
    [
      'a number beyond a double',
      () => celToOperand('1e309'),
      /value\.value: a finite number, or a string of at most 200 characters/,
    ],
    [
      'a window of 0 days',
      () => celToCondition('transactions.exists(t, t.daysAgo <= 0.0)'),
      /condition\.anyTransaction\.withinDays: Too small/,
    ],
    [
      'a window of 2.5 days',
      () => celToCondition('size(transactions.filter(t, t.daysAgo <= 2.5)) > 1.0'),
      /withinDays: Invalid input: expected int/,
    ],
  ])('refuses CEL whose stored form the schema refuses: %s', (_, convert, message) => {
    expect(convert).toThrow(NotStorableError);
    expect(convert).toThrow(message);
  });

  it('validates stored JSON with a schema that names the problem', () => {
    expect(conditionSchema.safeParse({ compare: [{ field: 'profile.age' }, '>', { value: 18 }] }).success).toBe(true);
    const wrong = conditionSchema.safeParse({ compare: [{ field: 'profile.shoeSize' }, '>', { value: 18 }] });
    expect(wrong.success).toBe(false);
  });
});

/**
 * Stored definitions at random. `edges` adds what the stored schema must refuse (a window of 0 or 2.5 days, strings
 * over their limit, numbers beyond a double, negative amounts) beside its own edges (0, -0, 5e-324, 1e308,
 * 200-character strings, any character): conversions must agree with the schema on every one of them.
 */
function storedArbitraries(edges: boolean) {
  const text = (maxLength: number) =>
    fc.string({ minLength: 1, maxLength: edges ? maxLength + 20 : maxLength, unit: 'binary' });
  const number = fc.oneof(
    fc.integer({ min: -10_000, max: 10_000 }).map((n) => n / 8),
    fc.double({ noNaN: true, noDefaultInfinity: !edges }),
    fc.constantFrom(0, -0, 5e-324, 1e21, 1e308, -1e308, 0.1),
  );
  const amount = edges ? number : number.map(Math.abs);
  const filter: fc.Arbitrary<TransactionFilter> = fc.record(
    {
      withinDays: edges
        ? fc.oneof(fc.integer({ min: -1, max: 401 }), fc.constantFrom(2.5))
        : fc.integer({ min: 1, max: 400 }),
      direction: fc.constantFrom('in' as const, 'out' as const),
      categories: fc.array(fc.oneof(fc.constantFrom('energy', 'groceries', 'gambling'), text(100)), {
        minLength: 1,
        maxLength: 3,
      }),
      merchants: fc.array(text(100), { minLength: 1, maxLength: 2 }),
      merchantContains: text(100),
      minAmount: amount,
      maxAmount: amount,
    },
    { requiredKeys: [] },
  );
  const numberFields = FIELD_PATHS.filter((f) => !/region|employmentStatus|isHomeowner|hasOverdraft/.test(f));
  return fc.letrec<{ operand: Operand; condition: Condition }>((tie) => ({
    operand: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...numberFields).map((field): Operand => ({ field })),
      number.map((value): Operand => ({ value })),
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
      fc
        .tuple(fc.constantFrom('==' as const, '!=' as const), text(200))
        .map(([op, value]): Condition => ({ compare: [{ field: 'profile.region' }, op, { value }] })),
      fc.constantFrom('profile.isHomeowner' as const, 'profile.hasOverdraft' as const).map((is): Condition => ({ is })),
      fc
        .array(fc.oneof(fc.constantFrom('london', 'wales', 'scotland'), text(100)), { minLength: 1, maxLength: 3 })
        .map((values): Condition => ({ oneOf: { field: 'profile.region', values } })),
      filter.map((anyTransaction): Condition => ({ anyTransaction })),
      fc.array(tie('condition'), { minLength: 2, maxLength: 3 }).map((all): Condition => ({ all })),
      fc.array(tie('condition'), { minLength: 2, maxLength: 3 }).map((any): Condition => ({ any })),
      tie('condition').map((not): Condition => ({ not })),
    ),
  }));
}

const { operand, condition } = storedArbitraries(false);
const edgeCases = storedArbitraries(true);

describe('stored definitions <-> CEL properties', () => {
  it('a stored condition survives CEL text unchanged (canonical form), and type-checks as a condition', () => {
    fc.assert(
      fc.property(condition, (generated) => {
        // What the database holds: the schema's output (zero without a sign).
        const stored = conditionSchema.parse(canonicalCondition(generated));
        const text = conditionToCel(stored);
        expect(celToCondition(text)).toEqual(stored);
        expect(conditionToCel(celToCondition(text))).toBe(text);
        const checked = checkExpression(parseExpression(text), CUSTOMER_VARIABLES);
        expect(checked.issues).toEqual([]);
        expect(checked.type.kind).toBe('bool');
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  it('a stored value survives CEL text unchanged and type-checks as a number', () => {
    fc.assert(
      fc.property(operand, (generated) => {
        const stored = operandSchema.parse(generated);
        const text = operandToCel(stored);
        expect(celToOperand(text)).toEqual(stored);
        expect(checkExpression(operandToExpr(stored), CUSTOMER_VARIABLES).type.kind).toBe('double');
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  it('CEL converts to a stored form exactly when the stored schema accepts what it describes', () => {
    const branches = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(edgeCases.condition, (generated) => {
        const canonical = canonicalCondition(generated);
        const accepted = conditionSchema.safeParse(canonical);
        if (accepted.success) {
          branches.accepted++;
          expect(celToCondition(conditionToCel(accepted.data))).toEqual(accepted.data);
        } else {
          branches.refused++;
          expect(() => celToCondition(conditionToCel(canonical))).toThrow(NotStorableError);
        }
      }),
      { numRuns: propertyRuns(600) },
    );
    // Both sides of the claim were tried, each many times (the edge-case generator aims at the schema's limits).
    const runs = branches.accepted + branches.refused;
    expect(branches.accepted).toBeGreaterThanOrEqual(runs / 10);
    expect(branches.refused).toBeGreaterThanOrEqual(runs / 10);
  });
});
