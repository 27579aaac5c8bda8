import { z } from 'zod';
import { formatIssues } from '../validation';
import { conjuncts, type BinaryOperator, type Expr } from './ast';
import { AGGREGATE_REDUCTIONS } from './functions';
import { parseExpression } from './parser';
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
function predicateOf(filter: TransactionFilter): Expr | undefined {
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

// ---- CEL -> structured ---------------------------------------------------------------------------

export class NotStorableError extends Error {
  override name = 'NotStorableError';
}

const notStorable = (expr: Expr, what: string): never => {
  throw new NotStorableError(
    `"${printExpression(expr)}" is not a stored ${what}: write it with the definition editor's shapes`,
  );
};

function dotted(expr: Expr): string | undefined {
  if (expr.kind === 'ident') return expr.name;
  if (expr.kind === 'member') {
    const object = dotted(expr.object);
    return object && `${object}.${expr.property}`;
  }
  return undefined;
}

const fieldOf = (expr: Expr): (typeof FIELD_PATHS)[number] | undefined => {
  const name = dotted(expr);
  return (FIELD_PATHS as readonly string[]).includes(name ?? '') ? (name as (typeof FIELD_PATHS)[number]) : undefined;
};

const stringList = (expr: Expr): string[] | undefined =>
  expr.kind === 'list' && expr.elements.every((e) => e.kind === 'literal' && typeof e.value === 'string')
    ? expr.elements.map((e) => (e as { value: string }).value)
    : undefined;

/** How each stored filter field reads back from its CEL term: `${field} ${operator}` -> the value it takes. */
const FILTER_TERMS: Record<string, (value: unknown) => Partial<TransactionFilter> | undefined> = {
  't.daysAgo <=': (v) => (typeof v === 'number' ? { withinDays: v } : undefined),
  't.direction ==': (v) => (v === 'in' || v === 'out' ? { direction: v } : undefined),
  't.category ==': (v) => (typeof v === 'string' ? { categories: [v] } : undefined),
  't.category in': (v) => (Array.isArray(v) ? { categories: v as string[] } : undefined),
  't.merchant ==': (v) => (typeof v === 'string' ? { merchants: [v] } : undefined),
  't.merchant in': (v) => (Array.isArray(v) ? { merchants: v as string[] } : undefined),
  't.merchant contains': (v) => (typeof v === 'string' ? { merchantContains: v } : undefined),
  't.amount >=': (v) => (typeof v === 'number' ? { minAmount: v } : undefined),
  't.amount <=': (v) => (typeof v === 'number' ? { maxAmount: v } : undefined),
};

function filterOf(predicate: Expr): TransactionFilter {
  let filter: TransactionFilter = {};
  for (const term of conjuncts(predicate)) {
    let shape: string | undefined;
    let value: unknown;
    if (term.kind === 'binary') {
      shape = `${dotted(term.left)} ${term.op}`;
      value = term.right.kind === 'literal' ? term.right.value : stringList(term.right);
    } else if (term.kind === 'call' && term.target && term.args.length === 1) {
      const argument = term.args[0]!;
      shape = `${dotted(term.target)} ${term.name}`;
      value = argument.kind === 'literal' ? argument.value : undefined;
    }
    const read = shape === undefined ? undefined : FILTER_TERMS[shape]?.(value);
    if (!read) notStorable(term, 'transaction filter');
    filter = { ...filter, ...read };
  }
  // A repeated or reordered term reads back, but would not print back the same: only the canonical form is stored.
  const canonical = predicateOf(filter);
  // Only the canonical order maps back: anything else would not survive a round trip unchanged.
  if (!canonical || printExpression(canonical) !== printExpression(predicate))
    notStorable(predicate, 'transaction filter (terms out of order)');
  return filter;
}

/** The body of `transactions.<macro>(t, body)`, the only macro shape stored definitions print. */
function transactionsMacroBody(expr: Expr, macro: 'filter' | 'exists'): Expr | undefined {
  const isShape =
    expr.kind === 'call' &&
    expr.name === macro &&
    expr.target?.kind === 'ident' &&
    expr.target.name === 'transactions' &&
    expr.args.length === 2 &&
    expr.args[0]?.kind === 'ident' &&
    expr.args[0].name === 't';
  return isShape ? expr.args[1] : undefined;
}

function listFilter(expr: Expr): TransactionFilter | undefined {
  if (expr.kind === 'ident' && expr.name === 'transactions') return undefined;
  const predicate = transactionsMacroBody(expr, 'filter');
  return predicate ? filterOf(predicate) : notStorable(expr, 'list of transactions');
}

export function exprToOperand(expr: Expr): Operand {
  const field = fieldOf(expr);
  if (field) return { field };
  // A negative number prints as "-5.0", which parses as minus applied to 5.0.
  if (
    expr.kind === 'unary' &&
    expr.op === '-' &&
    expr.operand.kind === 'literal' &&
    typeof expr.operand.value === 'number'
  ) {
    // A stored number has no negative zero (see storedNumber): storing "-0.0" would change what 1 / x means.
    if (expr.operand.value === 0) notStorable(expr, 'value (a stored zero has no sign: write 0.0)');
    return { value: -expr.operand.value };
  }
  if (expr.kind === 'literal' && (typeof expr.value === 'number' || typeof expr.value === 'string'))
    return { value: expr.value };
  if (expr.kind === 'binary' && ['+', '-', '*', '/'].includes(expr.op)) {
    return { arithmetic: expr.op as '+', left: exprToOperand(expr.left), right: exprToOperand(expr.right) };
  }
  if (expr.kind === 'call' && !expr.target) {
    if ((expr.name === 'min' || expr.name === 'max') && expr.args.length === 2) {
      const pair: [Operand, Operand] = [exprToOperand(expr.args[0]!), exprToOperand(expr.args[1]!)];
      return expr.name === 'min' ? { least: pair } : { greatest: pair };
    }
    if (expr.name === 'size' && expr.args.length === 1) return withWhere('count', listFilter(expr.args[0]!));
    const mapped = expr.args[0];
    const reduction = AGGREGATE_REDUCTIONS.get(expr.name);
    if (
      reduction &&
      expr.args.length === 1 &&
      mapped?.kind === 'call' &&
      mapped.name === 'map' &&
      mapped.target &&
      mapped.args[0]?.kind === 'ident' &&
      mapped.args[0].name === 't' &&
      dotted(mapped.args[1]!) === 't.amount'
    ) {
      return withWhere(reduction, listFilter(mapped.target));
    }
  }
  return notStorable(expr, 'value');
}

const withWhere = (
  aggregate: 'sum' | 'avg' | 'max' | 'min' | 'count',
  where: TransactionFilter | undefined,
): Operand => (where ? { aggregate, where } : { aggregate });

export function exprToCondition(expr: Expr): Condition {
  if (expr.kind === 'binary' && (expr.op === '&&' || expr.op === '||')) {
    const flatten = (e: Expr): Expr[] =>
      e.kind === 'binary' && e.op === expr.op ? [...flatten(e.left), ...flatten(e.right)] : [e];
    const parts = flatten(expr).map(exprToCondition);
    return expr.op === '&&' ? { all: parts } : { any: parts };
  }
  if (expr.kind === 'unary' && expr.op === '!') return { not: exprToCondition(expr.operand) };
  const field = fieldOf(expr);
  if (field) return { is: field };
  if (expr.kind === 'binary' && expr.op === 'in') {
    const inField = fieldOf(expr.left);
    const values = stringList(expr.right);
    if (inField && values) return { oneOf: { field: inField, values } };
  }
  if (expr.kind === 'binary' && ['<', '<=', '>', '>=', '==', '!='].includes(expr.op)) {
    return { compare: [exprToOperand(expr.left), expr.op as '<', exprToOperand(expr.right)] };
  }
  const body = transactionsMacroBody(expr, 'exists');
  if (body) return { anyTransaction: body.kind === 'literal' && body.value === true ? {} : filterOf(body) };
  return notStorable(expr, 'condition');
}

/** CEL text -> the stored form, checked by the very schema a stored row must pass: nothing the database would refuse. */
export const celToCondition = (text: string): Condition =>
  storable(storedConditionSchema, exprToCondition(parseExpression(text)), 'condition');
export const celToOperand = (text: string): Operand =>
  storable(storedScoreSchema, exprToOperand(parseExpression(text)), 'value');

function storable<T>(schema: z.ZodType<T>, converted: T, what: string): T {
  const checked = schema.safeParse(converted);
  if (!checked.success)
    throw new NotStorableError(`the ${what} cannot be stored: ${formatIssues(checked.error.issues, what)}`);
  return checked.data;
}

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

const storedConditionSchema = bounded(conditionSchema, 'condition');
const storedScoreSchema = bounded(operandSchema, 'score');

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

/** The stored form of a DSL definition; throws NotStorableError for text the editor cannot represent. */
export function fromSnoopDefinition(definition: SnoopDefinition): StoredSnoop {
  const { when, score, validTo, ...rest } = definition;
  return { ...rest, ...(validTo ? { validTo } : {}), condition: celToCondition(when), score: celToOperand(score) };
}
