import { z } from 'zod';
import type { BinaryOperator, Expr } from './ast';
import { printExpression } from './printer';
import type { SnoopDefinition } from './rule-file';

/**
 * How snoop conditions and scores are stored (PostgreSQL jsonb): a structured tree
 * an admin screen can build and edit, never code. Each shape maps to exactly one
 * CEL form, so storage -> DSL text is deterministic and DSL text -> storage gives
 * the same tree back.
 */
export const FIELD_PATHS = [
  'profile.age',
  'profile.tenureMonths',
  'profile.creditScore',
  'profile.region',
  'profile.employmentStatus',
  'profile.isHomeowner',
  'profile.hasOverdraft',
  'balances.current',
  'balances.savings',
  'balances.overdraftLimit',
  'balances.overdraftUsed',
  'balances.creditCardDebt',
  'salary.monthlyNet',
  'salary.paydayOfMonth',
  'salary.daysUntilPayday',
] as const;

const fieldPath = z.enum(FIELD_PATHS);
const comparison = z.enum(['<', '<=', '>', '>=', '==', '!=']);
const nonEmptyStrings = z.array(z.string().min(1).max(100)).min(1).max(50);

/**
 * A number as JSON and PostgreSQL keep it: finite, and zero without a sign (JSON.stringify(-0) is "0"), so the
 * stored form, the JSON sent to the database and the rule printed from either always agree.
 */
const withoutSignedZero = (value: number): number => (value === 0 ? 0 : value);
const storedNumber = z.number().transform(withoutSignedZero);
const storedAmount = z.number().nonnegative().transform(withoutSignedZero);

export const transactionFilterSchema = z
  .object({
    withinDays: z.number().int().min(1).max(400).optional(),
    direction: z.enum(['in', 'out']).optional(),
    categories: nonEmptyStrings.optional(),
    merchants: nonEmptyStrings.optional(),
    merchantContains: z.string().min(1).max(100).optional(),
    minAmount: storedAmount.optional(),
    maxAmount: storedAmount.optional(),
  })
  .strict();
export type TransactionFilter = z.infer<typeof transactionFilterSchema>;

export type Operand =
  | { field: (typeof FIELD_PATHS)[number] }
  | { value: number | string }
  | { aggregate: 'sum' | 'avg' | 'max' | 'min' | 'count'; where?: TransactionFilter }
  | { arithmetic: '+' | '-' | '*' | '/'; left: Operand; right: Operand }
  | { least: [Operand, Operand] }
  | { greatest: [Operand, Operand] };

/**
 * A union told apart by its one key (`field`, `value`, `all`, ...), so that a problem inside a branch is reported
 * where it is (`condition.all.1.compare.0.value: Too big`) instead of as "matches no branch".
 */
function keyedUnion<T>(branches: Record<string, z.ZodType>, what: string): z.ZodType<T> {
  const keys = Object.keys(branches);
  return z.unknown().transform((value, context) => {
    const key =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? keys.find((k) => Object.hasOwn(value, k))
        : undefined;
    if (key === undefined) {
      context.addIssue({ code: 'custom', message: `not a ${what}: use one of ${keys.join(', ')}` });
      return z.NEVER;
    }
    const branch = branches[key]!.safeParse(value);
    if (branch.success) return branch.data as T;
    for (const issue of branch.error.issues) context.addIssue({ ...issue });
    return z.NEVER;
  });
}

export const operandSchema: z.ZodType<Operand> = z.lazy(() =>
  keyedUnion<Operand>(
    {
      field: z.object({ field: fieldPath }).strict(),
      value: z
        .object({
          value: z.union([storedNumber, z.string().max(200)], {
            error: 'a finite number, or a string of at most 200 characters',
          }),
        })
        .strict(),
      aggregate: z
        .object({ aggregate: z.enum(['sum', 'avg', 'max', 'min', 'count']), where: transactionFilterSchema.optional() })
        .strict(),
      arithmetic: z
        .object({ arithmetic: z.enum(['+', '-', '*', '/']), left: operandSchema, right: operandSchema })
        .strict(),
      least: z.object({ least: z.tuple([operandSchema, operandSchema]) }).strict(),
      greatest: z.object({ greatest: z.tuple([operandSchema, operandSchema]) }).strict(),
    },
    'value',
  ),
);

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { compare: [Operand, z.infer<typeof comparison>, Operand] }
  | { is: (typeof FIELD_PATHS)[number] }
  | { oneOf: { field: (typeof FIELD_PATHS)[number]; values: string[] } }
  | { anyTransaction: TransactionFilter };

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  keyedUnion<Condition>(
    {
      all: z.object({ all: z.array(conditionSchema).min(2) }).strict(),
      any: z.object({ any: z.array(conditionSchema).min(2) }).strict(),
      not: z.object({ not: conditionSchema }).strict(),
      compare: z.object({ compare: z.tuple([operandSchema, comparison, operandSchema]) }).strict(),
      is: z.object({ is: fieldPath }).strict(),
      oneOf: z.object({ oneOf: z.object({ field: fieldPath, values: nonEmptyStrings }).strict() }).strict(),
      anyTransaction: z.object({ anyTransaction: transactionFilterSchema }).strict(),
    },
    'condition',
  ),
);

/**
 * The one stored form of a condition: an `all` directly inside an `all` (or `any` in
 * `any`) is merged into it, as "a && b && c" reads the same however it was grouped.
 */
export function canonicalCondition(condition: Condition): Condition {
  if ('all' in condition || 'any' in condition) {
    const key = 'all' in condition ? 'all' : 'any';
    const parts = ('all' in condition ? condition.all : condition.any)
      .map(canonicalCondition)
      .flatMap((part) => (key in part ? (part as Record<typeof key, Condition[]>)[key] : [part]));
    return key === 'all' ? { all: parts } : { any: parts };
  }
  if ('not' in condition) return { not: canonicalCondition(condition.not) };
  return condition;
}

// ---- structured -> CEL ---------------------------------------------------------------------------

const span = { start: 0, end: 0 };
const lit = (value: number | string): Expr => ({ kind: 'literal', value, span });
const ident = (name: string): Expr => ({ kind: 'ident', name, span });
const path = (dotted: string): Expr =>
  dotted
    .split('.')
    .reduce<Expr | undefined>(
      (object, property) => (object ? { kind: 'member', object, property, span } : ident(property)),
      undefined,
    )!;
const bin = (op: BinaryOperator, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right, span });
const call = (name: string, args: Expr[], target?: Expr): Expr => ({ kind: 'call', name, args, target, span });
const strings = (values: string[]): Expr => ({ kind: 'list', elements: values.map(lit), span });
const and = (parts: Expr[]): Expr => parts.reduce((left, right) => bin('&&', left, right));

/** Filter terms in a fixed order: the text of a filter never depends on how its JSON was written. */
export function predicateOf(filter: TransactionFilter): Expr | undefined {
  const t = (field: string): Expr => path(`t.${field}`);
  const terms: Expr[] = [];
  if (filter.withinDays !== undefined) terms.push(bin('<=', t('daysAgo'), lit(filter.withinDays)));
  if (filter.direction) terms.push(bin('==', t('direction'), lit(filter.direction)));
  if (filter.categories) {
    terms.push(
      filter.categories.length === 1
        ? bin('==', t('category'), lit(filter.categories[0]!))
        : bin('in', t('category'), strings(filter.categories)),
    );
  }
  if (filter.merchants) {
    terms.push(
      filter.merchants.length === 1
        ? bin('==', t('merchant'), lit(filter.merchants[0]!))
        : bin('in', t('merchant'), strings(filter.merchants)),
    );
  }
  if (filter.merchantContains) terms.push(call('contains', [lit(filter.merchantContains)], t('merchant')));
  if (filter.minAmount !== undefined) terms.push(bin('>=', t('amount'), lit(filter.minAmount)));
  if (filter.maxAmount !== undefined) terms.push(bin('<=', t('amount'), lit(filter.maxAmount)));
  return terms.length > 0 ? and(terms) : undefined;
}

function filtered(filter: TransactionFilter | undefined): Expr {
  const predicate = filter && predicateOf(filter);
  return predicate ? call('filter', [ident('t'), predicate], ident('transactions')) : ident('transactions');
}

export function operandToExpr(operand: Operand): Expr {
  if ('field' in operand) return path(operand.field);
  if ('value' in operand) return lit(operand.value);
  if ('aggregate' in operand) {
    const list = filtered(operand.where);
    if (operand.aggregate === 'count') return call('size', [list]);
    return call(operand.aggregate, [call('map', [ident('t'), path('t.amount')], list)]);
  }
  if ('arithmetic' in operand)
    return bin(operand.arithmetic, operandToExpr(operand.left), operandToExpr(operand.right));
  if ('least' in operand) return call('min', operand.least.map(operandToExpr));
  return call('max', operand.greatest.map(operandToExpr));
}

export function conditionToExpr(condition: Condition): Expr {
  if ('all' in condition) return condition.all.map(conditionToExpr).reduce((l, r) => bin('&&', l, r));
  if ('any' in condition) return condition.any.map(conditionToExpr).reduce((l, r) => bin('||', l, r));
  if ('not' in condition) return { kind: 'unary', op: '!', operand: conditionToExpr(condition.not), span };
  if ('compare' in condition) {
    const [left, op, right] = condition.compare;
    return bin(op, operandToExpr(left), operandToExpr(right));
  }
  if ('is' in condition) return path(condition.is);
  if ('oneOf' in condition) return bin('in', path(condition.oneOf.field), strings(condition.oneOf.values));
  const predicate = predicateOf(condition.anyTransaction);
  return call('exists', [ident('t'), predicate ?? { kind: 'literal', value: true, span }], ident('transactions'));
}

export const conditionToCel = (condition: Condition): string => printExpression(conditionToExpr(condition));
export const operandToCel = (operand: Operand): string => printExpression(operandToExpr(operand));

// ---- a stored snoop (one PostgreSQL row) ---------------------------------------------------------

/**
 * How big a stored condition or score may be, counted in JSON objects and arrays. Checked before its shape, and
 * without recursion: a condition nested 2,000 deep or an `all` of 10,000 terms is refused with the reason, never
 * with a stack overflow. Far above what a person builds in the editor (the seed catalogue's largest is under 40).
 */
export const STORED_LIMITS = { depth: 64, parts: 1_000 } as const;

function sizeProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 1]];
  let parts = 0;
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > STORED_LIMITS.depth) return `nested more than ${STORED_LIMITS.depth} levels deep`;
    if (++parts > STORED_LIMITS.parts) return `made of more than ${STORED_LIMITS.parts} parts`;
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push([child, depth + 1]);
  }
  return undefined;
}

/** A stored tree: its size first, then its shape (the shape is only checked when the size is sane). */
const bounded = <T>(schema: z.ZodType<T>, what: string) =>
  z
    .unknown()
    .superRefine((value, context) => {
      const problem = sizeProblem(value);
      if (problem)
        context.addIssue({ code: 'custom', message: `the ${what} is ${problem}; split it into simpler snoops` });
    })
    .pipe(schema);

export const storedConditionSchema = bounded(conditionSchema, 'condition');
export const storedScoreSchema = bounded(operandSchema, 'score');

export const storedSnoopSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a lowercase slug such as "energy-switch"'),
    name: z.string().min(1).max(200),
    status: z.enum(['draft', 'active', 'retired']),
    audience: z.string().min(1).max(100),
    contentRef: z.string().min(1).max(500),
    validFrom: z.iso.date(),
    validTo: z.iso.date().optional(),
    version: z.number().int().positive(),
    condition: storedConditionSchema,
    score: storedScoreSchema,
  })
  .strict();

export type StoredSnoop = z.infer<typeof storedSnoopSchema>;

/** The DSL form of a stored snoop: what goes into the rules file. */
export function toSnoopDefinition(stored: StoredSnoop): SnoopDefinition {
  return {
    id: stored.id,
    name: stored.name,
    status: stored.status,
    audience: stored.audience,
    contentRef: stored.contentRef,
    validFrom: stored.validFrom,
    ...(stored.validTo ? { validTo: stored.validTo } : {}),
    version: stored.version,
    when: conditionToCel(canonicalCondition(stored.condition)),
    score: operandToCel(stored.score),
  };
}
