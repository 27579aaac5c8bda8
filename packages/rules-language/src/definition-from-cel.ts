/**
 * CEL text -> the stored form of a snoop (definition.ts has the other way): only the shapes the definition
 * editor builds read back, each checked by the schema a stored row must pass.
 */
import type { z } from 'zod';
import { conjuncts, type Expr, type Span } from './ast';
import {
  FIELD_PATHS,
  predicateOf,
  storedConditionSchema,
  storedScoreSchema,
  type Condition,
  type Operand,
  type StoredSnoop,
  type TransactionFilter,
} from './definition';
import { AGGREGATE_REDUCTIONS } from './functions';
import { parseExpression } from './parser';
import { printExpression } from './printer';
import type { SnoopDefinition } from './rule-file';
import { formatIssues } from '@backbone/shared/validation';

export class NotStorableError extends Error {
  override name = 'NotStorableError';
  /** The part of the text that has no stored form, when one part is to blame. */
  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(message);
  }
}

const notStorable = (expr: Expr, what: string): never => {
  throw new NotStorableError(
    `"${printExpression(expr)}" is not a stored ${what}: write it with the definition editor's shapes`,
    expr.span,
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
export const celToCondition = (text: string): Condition => storedConditionOf(parseExpression(text));
export const celToOperand = (text: string): Operand => storedOperandOf(parseExpression(text));
/** The same, from text already parsed (the editor checks every keystroke: one parse is enough). */
export const storedConditionOf = (expr: Expr): Condition =>
  storable(storedConditionSchema, exprToCondition(expr), 'condition');
export const storedOperandOf = (expr: Expr): Operand => storable(storedScoreSchema, exprToOperand(expr), 'value');

function storable<T>(schema: z.ZodType<T>, converted: T, what: string): T {
  const checked = schema.safeParse(converted);
  if (!checked.success)
    throw new NotStorableError(`the ${what} cannot be stored: ${formatIssues(checked.error.issues, what)}`);
  return checked.data;
}

/** The stored form of a DSL definition; throws NotStorableError for text the editor cannot represent. */
export function fromSnoopDefinition(definition: SnoopDefinition): StoredSnoop {
  const { when, score, validTo, ...rest } = definition;
  return { ...rest, ...(validTo ? { validTo } : {}), condition: celToCondition(when), score: celToOperand(score) };
}
