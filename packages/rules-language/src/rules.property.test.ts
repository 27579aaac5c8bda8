import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import type { BinaryOperator, Expr } from './ast';
import { checkExpression } from './checker';
import { AggregatePlan, Compiler } from './compiler';
import { CUSTOMER_VARIABLES } from './customer-schema';
import { interpret } from './interpreter';
import { parseExpression } from './parser';
import { printExpression } from './printer';
import { compileRuleFile, printRuleFile } from './rule-file';
import { celReferenceEnvironment, toStandardCel } from './testing/cel-environment';
import { sampleCustomer } from './testing/sample-customer';

const span = { start: 0, end: 0 };
const lit = (value: number | string | boolean): Expr => ({ kind: 'literal', value, span });
const ident = (name: string): Expr => ({ kind: 'ident', name, span });
const member = (object: Expr, property: string): Expr => ({ kind: 'member', object, property, span });
const binary = (op: BinaryOperator, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, span });
const call = (name: string, args: Expr[], target?: Expr): Expr => ({ kind: 'call', name, args, target, span });
const macro = (name: string, list: Expr, variable: string, body: Expr): Expr =>
  call(name, [ident(variable), body], list);

const NUMBER_FIELDS: [string, string][] = [
  ['profile', 'age'],
  ['profile', 'creditScore'],
  ['balances', 'current'],
  ['balances', 'savings'],
  ['salary', 'monthlyNet'],
];
const STRING_FIELDS: [string, string][] = [
  ['profile', 'region'],
  ['profile', 'employmentStatus'],
];
/** Fields that hold whole numbers, compared with whole-number literals so that equality actually occurs. */
const INTEGER_FIELDS = (inTransaction: boolean): Expr[] => [
  member(ident('profile'), 'age'),
  member(ident('salary'), 'daysUntilPayday'),
  ...(inTransaction ? [member(ident('t'), 'daysAgo')] : []),
];

const BOOL_FIELDS: [string, string][] = [
  ['profile', 'isHomeowner'],
  ['profile', 'hasOverdraft'],
];

/**
 * Random well-typed expressions over the customer schema. `inTransaction` adds the
 * element variable t of a macro over transactions, so aggregates nest realistically.
 */
interface ExpressionArbitraries {
  num: fc.Arbitrary<Expr>;
  bool: fc.Arbitrary<Expr>;
  str: fc.Arbitrary<Expr>;
}

function expressions(inTransaction: boolean): ExpressionArbitraries {
  // Inside a macro over transactions, no further macro over transactions: realistic, and it bounds size.
  const element = inTransaction ? undefined : expressions(true);
  const numberLeaves: fc.Arbitrary<Expr>[] = [
    fc.integer({ min: -1000, max: 1000 }).map((n) => lit(n / 4)),
    fc.constantFrom(...NUMBER_FIELDS).map(([o, p]) => member(ident(o), p)),
  ];
  const stringLeaves: fc.Arbitrary<Expr>[] = [
    fc.constantFrom('energy', 'groceries', 'london', 'employed', 'Tesco', '').map(lit),
    fc.constantFrom(...STRING_FIELDS).map(([o, p]) => member(ident(o), p)),
  ];
  const boolLeaves: fc.Arbitrary<Expr>[] = [
    fc.boolean().map(lit),
    fc.constantFrom(...BOOL_FIELDS).map(([o, p]) => member(ident(o), p)),
  ];
  if (inTransaction) {
    numberLeaves.push(fc.constantFrom('amount', 'daysAgo').map((p) => member(ident('t'), p)));
    stringLeaves.push(fc.constantFrom('category', 'merchant', 'direction').map((p) => member(ident('t'), p)));
  }

  return fc.letrec<{ num: Expr; bool: Expr; str: Expr }>((tie) => ({
    num: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      ...numberLeaves,
      fc
        .tuple(fc.constantFrom<BinaryOperator>('+', '-', '*', '/'), tie('num'), tie('num'))
        .map(([op, l, r]) => binary(op, l, r)),
      tie('num').map((operand): Expr => ({ kind: 'unary', op: '-', operand, span })),
      fc
        .tuple(tie('bool'), tie('num'), tie('num'))
        .map(([test, then, otherwise]): Expr => ({ kind: 'conditional', test, then, otherwise, span })),
      fc.tuple(fc.constantFrom('max', 'min'), tie('num'), tie('num')).map(([name, a, b]) => call(name, [a, b])),
      ...(inTransaction
        ? []
        : [
            fc
              .tuple(fc.constantFrom('sum', 'avg', 'max', 'min'), expressions(true).bool, expressions(true).num)
              .map(([name, p, v]) =>
                call(name, [macro('map', macro('filter', ident('transactions'), 't', p), 't', v)]),
              ),
            element!.bool.map((p) => call('size', [macro('filter', ident('transactions'), 't', p)])),
          ]),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      ...boolLeaves,
      fc
        .tuple(fc.constantFrom<BinaryOperator>('<', '<=', '>', '>=', '==', '!='), tie('num'), tie('num'))
        .map(([op, l, r]) => binary(op, l, r)),
      // Equal operands are rare at random; these make the "=" in <=, >=, == and != matter.
      fc
        .tuple(fc.constantFrom<BinaryOperator>('<', '<=', '>', '>=', '==', '!='), tie('num'))
        .map(([op, x]) => binary(op, x, x)),
      fc
        .tuple(
          fc.constantFrom<BinaryOperator>('<', '<=', '>', '>=', '==', '!='),
          fc.constantFrom(...INTEGER_FIELDS(inTransaction)),
          fc.integer({ min: 0, max: 120 }),
        )
        .map(([op, field, n]) => binary(op, field, lit(n))),
      fc
        .tuple(fc.constantFrom<BinaryOperator>('==', '!='), tie('str'), tie('str'))
        .map(([op, l, r]) => binary(op, l, r)),
      fc
        .tuple(fc.constantFrom<BinaryOperator>('&&', '||'), tie('bool'), tie('bool'))
        .map(([op, l, r]) => binary(op, l, r)),
      // Chains of three to six terms: the compiler unrolls up to four and loops beyond.
      fc
        .tuple(fc.constantFrom<BinaryOperator>('&&', '||'), fc.array(tie('bool'), { minLength: 3, maxLength: 6 }))
        .map(([op, terms]) => terms.reduce((l, r) => binary(op, l, r))),

      tie('bool').map((operand): Expr => ({ kind: 'unary', op: '!', operand, span })),
      fc
        .tuple(tie('str'), fc.constantFrom('contains', 'startsWith', 'endsWith'), tie('str'))
        .map(([s, name, arg]) => call(name, [arg], s)),
      tie('str').map((s) =>
        binary('in', s, { kind: 'list', elements: [lit('energy'), lit('london'), lit('Tesco')], span }),
      ),
      ...(inTransaction
        ? []
        : [
            fc
              .tuple(fc.constantFrom('exists', 'all'), expressions(true).bool)
              .map(([name, p]) => macro(name, ident('transactions'), 't', p)),
          ]),
    ),
    str: fc.oneof(...stringLeaves),
  }));
}

/** A literal or a field: the leaves `breakLeaf` may break (a list literal's elements aside: a mixed list is legal). */
const isLeaf = (node: Expr): boolean => node.kind === 'literal' || node.kind === 'member';
const childrenOf = (node: Expr): Expr[] =>
  node.kind === 'list' || isLeaf(node)
    ? []
    : Object.values(node).flatMap((value): Expr[] =>
        Array.isArray(value)
          ? (value as Expr[])
          : value && typeof value === 'object' && 'kind' in value
            ? [value as Expr]
            : [],
      );
const countLeaves = (node: Expr): number =>
  isLeaf(node) ? 1 : childrenOf(node).reduce((n, child) => n + countLeaves(child), 0);

/**
 * The expression with its n-th leaf broken: a literal of another type in place of a literal (a number becomes text,
 * text or a truth value a number), a field the schema does not have in place of a field.
 */
function breakLeaf(expr: Expr, n: number): Expr {
  let seen = 0;
  const visit = (node: Expr): Expr => {
    if (isLeaf(node)) {
      if (seen++ !== n) return node;
      if (node.kind === 'member') return { ...node, property: `${node.property}Nowhere` };
      return lit(typeof (node as { value: unknown }).value === 'number' ? 'ten' : 10);
    }
    if (node.kind === 'list') return node;
    const copy: Record<string, unknown> = { ...node };
    for (const [key, value] of Object.entries(node)) {
      if (Array.isArray(value)) copy[key] = (value as Expr[]).map(visit);
      else if (value && typeof value === 'object' && 'kind' in value) copy[key] = visit(value as Expr);
    }
    return copy as unknown as Expr;
  };
  return visit(expr);
}

// From no transaction at all (empty aggregates: avg, max and min of nothing) to a long history.
const customer = fc
  .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(0, 1, 2, 5, 40, 150))
  .map(([seed, transactions]) => {
    const facts = sampleCustomer(seed, transactions);
    // sampleCustomer starts every history with the salary payments: none at all when asked for none.
    return transactions === 0 ? { ...facts, transactions: [] } : facts;
  });
const anyExpression = fc.oneof(expressions(false).num, expressions(false).bool);

/** A compile outcome is a rule set that evaluates, or errors that each say where and what. */
function expectReport(outcome: ReturnType<typeof compileRuleFile>): void {
  if (outcome.ok) {
    expect(Array.isArray(outcome.ruleSet.evaluate(sampleCustomer(1)))).toBe(true);
    return;
  }
  expect(outcome.errors.length).toBeGreaterThan(0);
  for (const error of outcome.errors) {
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

describe('rules DSL properties', () => {
  it('the checker accepts every well-typed expression, and refuses it once one leaf is of the wrong type or unknown', () => {
    fc.assert(
      fc.property(anyExpression, fc.nat(), (expr, pick) => {
        const checked = checkExpression(expr, CUSTOMER_VARIABLES);
        expect(checked.issues).toEqual([]);
        const broken = breakLeaf(expr, pick % countLeaves(expr));
        const rechecked = checkExpression(broken, CUSTOMER_VARIABLES);
        // Refused, unless the broken leaf is the whole expression: then it is simply of another type.
        const noticed = rechecked.issues.length > 0 || JSON.stringify(rechecked.type) !== JSON.stringify(checked.type);
        expect({ expression: printExpression(broken), noticed }).toEqual({
          expression: printExpression(broken),
          noticed: true,
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('compiled evaluation equals the reference interpreter', () => {
    fc.assert(
      fc.property(anyExpression, customer, (expr, facts) => {
        const plan = new AggregatePlan();
        const compiled = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES))).compile(expr);
        const f = facts as unknown as Record<string, unknown>;
        expect(compiled(f, [], plan.computeAll(f))).toEqual(interpret(expr, f));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('printing then parsing gives back the same expression', () => {
    fc.assert(
      fc.property(anyExpression, customer, (expr, facts) => {
        const text = printExpression(expr);
        const reparsed = parseExpression(text);
        expect(printExpression(reparsed)).toBe(text);
        const f = facts as unknown as Record<string, unknown>;
        expect(interpret(reparsed, f)).toEqual(interpret(expr, f));
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('never crashes on random text: it compiles or reports errors', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expectReport(compileRuleFile(text));
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('never crashes on a valid file with random damage', () => {
    const valid = printRuleFile([
      {
        id: 'energy-switch',
        name: 'Switch energy',
        status: 'active',
        audience: 'all',
        contentRef: 'cms:energy',
        validFrom: '2026-01-01',
        version: 1,
        when: 'sum(transactions.filter(t, t.category == "energy").map(t, t.amount)) > 300.0 && profile.isHomeowner',
        score: 'min(1.0, balances.savings / 10000.0)',
      },
    ]);
    fc.assert(
      fc.property(fc.nat(valid.length), fc.nat(20), fc.string({ maxLength: 5 }), (at, cut, insert) => {
        const damaged = valid.slice(0, at) + insert + valid.slice(Math.min(valid.length, at + cut));
        expectReport(compileRuleFile(damaged));
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  it("never crashes on random token soup in a snoop's condition and score", () => {
    const token = fc.constantFrom(
      ...['&&', '||', '==', '<', '+', '-', '*', '/', '!', '?', ':', '(', ')', '[', ']', ',', '.', 'in', 'null'],
      ...['true', '1.0', '0', '"energy"', 'profile', 'age', 'transactions', 't', 'filter', 'map', 'exists', 'size'],
      ...['sum', 'max', 'amount', 'constructor', '__proto__', 'toString', 'has', 'int', '1e309', '-0.0'],
    );
    const soup = fc.array(token, { minLength: 1, maxLength: 60 }).map((tokens) => tokens.join(' '));
    // Long flat chains of one repeated piece reach the parser's height limit and the part limit.
    const chain = fc
      .tuple(fc.constantFrom('true && ', '.a', '.size()', '- ', '1.0 + ', '[', '('), fc.integer({ min: 1, max: 8_000 }))
      .map(([piece, times]) => piece.repeat(times));
    // Constants of every type under every operator: folding must never meet an ill-typed one.
    const literal = fc.constantFrom('1.0', '0', 'null', 'true', '"a"', '[]', '[1.0]', '-0.0');
    const constant = fc
      .tuple(literal, fc.constantFrom('in', '+', '-', '*', '/', '<', '==', '&&', '||'), literal)
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(soup, chain, constant), fc.oneof(soup, chain, constant), (when, score) => {
        const text = `snoop "s" {\n name: "n"\n status: active\n audience: "all"\n content: "c"\n valid_from: "2026-01-01"\n version: 1\n when: ${when}\n score: ${score}\n}\n`;
        expectReport(compileRuleFile(text));
      }),
      { numRuns: propertyRuns(400) },
    );
  });
});

describe('against an independent CEL implementation', () => {
  const cel = celReferenceEnvironment();

  it('compiled evaluation equals @marcbachmann/cel-js on random expressions', () => {
    fc.assert(
      fc.property(anyExpression, customer, (expr, facts) => {
        const text = toStandardCel(expr);
        const plan = new AggregatePlan();
        const compiled = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES))).compile(expr);
        const f = facts as unknown as Record<string, unknown>;
        const ours = compiled(f, [], plan.computeAll(f));
        const theirs = cel.evaluate(text, f) as unknown;
        expect(theirs).toEqual(ours);
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
