/**
 * The closure compiler: a checked expression becomes nested closures, with aggregates over customer data
 * hoisted into the per-customer plan (fused into shared passes over the transactions where their shape allows),
 * comparisons specialised by operand shape, and && / || chains unrolled.
 */
import { conjuncts, type Expr } from '../ast';
import { ExactSum } from '../exact-sum';
import { lookupFunction, overloadFor, valueOf } from '../functions';
import { printExpression } from '../printer';
import type { AggregatePlan } from './plan';
import { bucketTerm, fold, freeNames, loopOf, macroOf, windowTerm, type Loop } from './shapes';
import { BUCKET_FIELDS, type Compiled } from './types';
import { celAdd, celEquals, celIn, celLess, celLessOrEqual } from '../values';

type Row = Record<string, unknown>;
type Comparator = {
  element: (index: number, field: string, v: unknown) => Compiled;
  top: (name: string, field: string, v: unknown) => Compiled;
};

/** One closure per operator and operand shape, so the comparison itself is the whole call. */
const COMPARATORS: Partial<Record<string, Comparator>> = {
  '==': {
    element: (i, k, v) => (_f, e) => (e[i] as Row)[k] === v,
    top: (n, k, v) => (f) => (f[n] as Row)[k] === v,
  },
  '!=': {
    element: (i, k, v) => (_f, e) => (e[i] as Row)[k] !== v,
    top: (n, k, v) => (f) => (f[n] as Row)[k] !== v,
  },
  '<': {
    element: (i, k, v) => (_f, e) => ((e[i] as Row)[k] as number) < (v as number),
    top: (n, k, v) => (f) => ((f[n] as Row)[k] as number) < (v as number),
  },
  '<=': {
    element: (i, k, v) => (_f, e) => ((e[i] as Row)[k] as number) <= (v as number),
    top: (n, k, v) => (f) => ((f[n] as Row)[k] as number) <= (v as number),
  },
  '>': {
    element: (i, k, v) => (_f, e) => ((e[i] as Row)[k] as number) > (v as number),
    top: (n, k, v) => (f) => ((f[n] as Row)[k] as number) > (v as number),
  },
  '>=': {
    element: (i, k, v) => (_f, e) => ((e[i] as Row)[k] as number) >= (v as number),
    top: (n, k, v) => (f) => ((f[n] as Row)[k] as number) >= (v as number),
  },
};

export class Compiler {
  /** How many slot reads have been emitted: a loop whose body reads a slot cannot be fused. */
  private slotReads = 0;

  constructor(
    readonly plan: AggregatePlan,
    /** Customer variables: an expression over only these may be hoisted into the plan. */
    readonly customerVariables: ReadonlySet<string>,
  ) {}

  compile(expr: Expr): Compiled {
    return this.node(fold(expr), new Map());
  }

  private hoistable(expr: Expr, scope: ReadonlyMap<string, number>): boolean {
    if (scope.size > 0) {
      // Inside a macro: hoist only what does not use the macro's variables.
      for (const name of freeNames(expr)) if (scope.has(name)) return false;
    }
    for (const name of freeNames(expr)) if (!this.customerVariables.has(name)) return false;
    return true;
  }

  private node(expr: Expr, scope: ReadonlyMap<string, number>): Compiled {
    const loop = loopOf(expr);
    if (loop && this.hoistable(expr, scope)) {
      const key = printExpression(expr);
      const slot = this.fused(key, loop) ?? this.hoisted(key, loop);
      this.slotReads++;
      return (_facts, _env, slots) => slots[slot];
    }
    switch (expr.kind) {
      case 'literal': {
        const value = expr.value;
        return () => value;
      }
      case 'ident': {
        const index = scope.get(expr.name);
        if (index !== undefined) return (_f, env) => env[index];
        const name = expr.name;
        if (name === 'transactions') this.plan.noteWholeTransactionList();
        return (facts) => facts[name];
      }
      case 'member': {
        const element = this.elementField(expr, scope);
        if (element) {
          const { index, field } = element;
          return (_f, env) => (env[index] as Record<string, unknown>)[field];
        }
        const object = this.node(expr.object, scope);
        const property = expr.property;
        return (f, env, slots) => (object(f, env, slots) as Record<string, unknown>)[property];
      }
      case 'unary': {
        const operand = this.node(expr.operand, scope);
        return expr.op === '!' ? (f, e, s) => !operand(f, e, s) : (f, e, s) => -(operand(f, e, s) as number);
      }
      case 'conditional': {
        const test = this.node(expr.test, scope);
        const then = this.node(expr.then, scope);
        const otherwise = this.node(expr.otherwise, scope);
        return (f, e, s) => (test(f, e, s) ? then(f, e, s) : otherwise(f, e, s));
      }
      case 'list': {
        const elements = expr.elements.map((el) => this.node(el, scope));
        return (f, e, s) => elements.map((el) => el(f, e, s));
      }
      case 'binary':
        return this.binary(expr, scope);
      case 'call':
        return this.call(expr, scope);
    }
  }

  private hoisted(key: string, loop: Loop): number {
    const computeLoop = this.loop(loop);
    return this.plan.slotFor(key, (facts, slots) => computeLoop(facts, [], slots));
  }

  /** Registers a loop over the customer's transactions in the plan's fused passes; undefined if it cannot be fused. */
  private fused(key: string, loop: Loop): number | undefined {
    if (
      loop.source.kind !== 'ident' ||
      loop.source.name !== 'transactions' ||
      !this.customerVariables.has('transactions')
    )
      return undefined;
    const terms = loop.predicate ? conjuncts(loop.predicate) : [];
    // "all" must see every transaction, so it never narrows its scan.
    const narrow = loop.reduce !== 'all';
    const rank = (term: Expr): number => {
      const bucket = bucketTerm(term, loop.variable);
      return bucket ? BUCKET_FIELDS.indexOf(bucket.field) : BUCKET_FIELDS.length;
    };
    const best = narrow ? Math.min(...terms.map(rank)) : BUCKET_FIELDS.length;
    const bucketIndex = best < BUCKET_FIELDS.length ? terms.findIndex((term) => rank(term) === best) : -1;
    const bucket = bucketIndex >= 0 ? bucketTerm(terms[bucketIndex]!, loop.variable) : undefined;
    const windowIndex = narrow ? terms.findIndex((term) => windowTerm(term, loop.variable) !== undefined) : -1;
    const windowDays = windowIndex >= 0 ? windowTerm(terms[windowIndex]!, loop.variable) : undefined;
    const rest = terms.filter((_, i) => i !== bucketIndex && i !== windowIndex);
    const residualExpr =
      rest.length > 0
        ? rest.reduce((l, r): Expr => ({ kind: 'binary', op: '&&', left: l, right: r, span: l.span }))
        : undefined;
    const inner = new Map([[loop.variable, 0]]);
    const readsBefore = this.slotReads;
    const residual = residualExpr ? this.node(residualExpr, inner) : undefined;
    const value = loop.value ? this.node(loop.value, inner) : undefined;
    if (this.slotReads !== readsBefore) return undefined;
    const filterKey = [
      loop.variable,
      bucket ? `${bucket.field}:${[...bucket.keys].sort().join(',')}` : '*',
      residualExpr ? printExpression(residualExpr) : '',
    ].join('|');
    const valueField =
      loop.value?.kind === 'member' && loop.value.object.kind === 'ident' && loop.value.object.name === loop.variable
        ? loop.value.property
        : undefined;
    return this.plan.fusedSlotFor(
      key,
      filterKey,
      { bucket, windowDays, residual },
      { reduce: loop.reduce, value, valueField, valueKey: loop.value && printExpression(loop.value) },
    );
  }

  /** `v.field` where v is a macro variable: its env index and the field, for specialised closures. */
  private elementField(expr: Expr, scope: ReadonlyMap<string, number>): { index: number; field: string } | undefined {
    if (expr.kind !== 'member' || expr.object.kind !== 'ident') return undefined;
    const index = scope.get(expr.object.name);
    return index === undefined ? undefined : { index, field: expr.property };
  }

  /**
   * `t.field OP literal` (t a macro variable) or `profile.field OP literal` (a customer variable):
   * one closure instead of three, the commonest shape in conditions and filters.
   */
  private fieldComparison(
    expr: Extract<Expr, { kind: 'binary' }>,
    scope: ReadonlyMap<string, number>,
  ): Compiled | undefined {
    const element = this.elementField(expr.left, scope);
    const top =
      !element && expr.left.kind === 'member' && expr.left.object.kind === 'ident' && !scope.has(expr.left.object.name)
        ? { name: expr.left.object.name, field: expr.left.property }
        : undefined;
    if (!element && !top) return undefined;
    type Row = Record<string, unknown>;
    // Two closure shapes (macro element, customer variable) per operator, with no nested getter call.
    if (expr.op === 'in' && expr.right.kind === 'list' && expr.right.elements.every((el) => el.kind === 'literal')) {
      // A Set finds NaN (SameValueZero); CEL's equality never does, so a NaN element (a folded 0.0/0.0) is no member.
      const values = expr.right.elements.map((el) => (el as { value: unknown }).value);
      const set = new Set(values.filter((value) => value === value));
      if (element) {
        const { index, field } = element;
        return (_f, e) => set.has((e[index] as Row)[field]);
      }
      const { name, field } = top!;
      return (f) => set.has((f[name] as Row)[field]);
    }
    // Strings are ordered by code point (celLess), not by the UTF-16 units JavaScript's operators compare.
    if (expr.right.kind !== 'literal' || (typeof expr.right.value === 'string' && expr.op !== '==' && expr.op !== '!='))
      return undefined;
    const v = expr.right.value as number;
    const compare = COMPARATORS[expr.op];
    if (!compare) return undefined;
    if (element) {
      const { index, field } = element;
      return compare.element(index, field, v);
    }
    return compare.top(top!.name, top!.field, v);
  }

  /** `a && b && c ...` as one closure over its operands (unrolled up to four), not a tree of two-operand closures. */
  private chain(expr: Extract<Expr, { kind: 'binary' }>, scope: ReadonlyMap<string, number>): Compiled {
    const op = expr.op;
    const flatten = (e: Expr): Expr[] =>
      e.kind === 'binary' && e.op === op ? [...flatten(e.left), ...flatten(e.right)] : [e];
    const parts = flatten(expr).map((part) => this.node(part, scope));
    const stopOn = op === '||';
    const [a, b, c, d] = parts as [Compiled, Compiled, Compiled, Compiled];
    if (parts.length === 2) {
      return stopOn
        ? (f, e, s) => a(f, e, s) === true || b(f, e, s) === true
        : (f, e, s) => a(f, e, s) === true && b(f, e, s) === true;
    }
    if (parts.length === 3) {
      return stopOn
        ? (f, e, s) => a(f, e, s) === true || b(f, e, s) === true || c(f, e, s) === true
        : (f, e, s) => a(f, e, s) === true && b(f, e, s) === true && c(f, e, s) === true;
    }
    if (parts.length === 4) {
      return stopOn
        ? (f, e, s) => a(f, e, s) === true || b(f, e, s) === true || c(f, e, s) === true || d(f, e, s) === true
        : (f, e, s) => a(f, e, s) === true && b(f, e, s) === true && c(f, e, s) === true && d(f, e, s) === true;
    }
    return (f, e, s) => {
      for (let i = 0; i < parts.length; i++) if ((parts[i]!(f, e, s) === true) === stopOn) return stopOn;
      return !stopOn;
    };
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>, scope: ReadonlyMap<string, number>): Compiled {
    if (expr.op === '&&' || expr.op === '||') return this.chain(expr, scope);
    const specialised = this.fieldComparison(expr, scope);
    if (specialised) return specialised;
    const l = this.node(expr.left, scope);
    const r = this.node(expr.right, scope);
    switch (expr.op) {
      case '==':
        return (f, e, s) => celEquals(l(f, e, s), r(f, e, s));
      case '!=':
        return (f, e, s) => !celEquals(l(f, e, s), r(f, e, s));
      case '<':
        return (f, e, s) => celLess(l(f, e, s), r(f, e, s));
      case '<=':
        return (f, e, s) => celLessOrEqual(l(f, e, s), r(f, e, s));
      case '>':
        return (f, e, s) => celLess(r(f, e, s), l(f, e, s));
      case '>=':
        return (f, e, s) => celLessOrEqual(r(f, e, s), l(f, e, s));
      case 'in':
        return (f, e, s) => celIn(l(f, e, s), r(f, e, s) as unknown[]);
      case '+':
        return (f, e, s) => celAdd(l(f, e, s), r(f, e, s));
      case '-':
        return (f, e, s) => (l(f, e, s) as number) - (r(f, e, s) as number);
      case '*':
        return (f, e, s) => (l(f, e, s) as number) * (r(f, e, s) as number);
      case '/':
        return (f, e, s) => (l(f, e, s) as number) / (r(f, e, s) as number);
    }
  }

  private call(expr: Extract<Expr, { kind: 'call' }>, scope: ReadonlyMap<string, number>): Compiled {
    if (expr.target) {
      const loop = loopOf(expr);
      if (loop) return this.loop(loop, scope);
      const macro = ['filter', 'map'].includes(expr.name) ? macroOf(expr, expr.name) : undefined;
      if (macro) {
        const target = this.node(expr.target, scope);
        const index = scope.size;
        const body = this.node(macro.body, new Map([...scope, [macro.variable, index]]));
        return expr.name === 'filter'
          ? (f, e, s) => (target(f, e, s) as unknown[]).filter((item) => ((e[index] = item), body(f, e, s)))
          : (f, e, s) => (target(f, e, s) as unknown[]).map((item) => ((e[index] = item), body(f, e, s)));
      }
    }
    const fn = lookupFunction(expr.name, expr.target !== undefined);
    const overload = fn && overloadFor(fn, expr.args.length);
    // The checker refuses unknown functions; meeting one here is a bug, never a silent fallback.
    if (!overload)
      throw new Error(
        `cannot compile ${printExpression(expr)}: no function ${expr.name} of ${expr.args.length} argument(s)`,
      );
    const run = valueOf(overload);
    // The receiver comes first, then the arguments; one closure per count, so a call costs one call.
    const [a, b] = [...(expr.target ? [expr.target] : []), ...expr.args].map((operand) => this.node(operand, scope));
    if (b) return (f, e, s) => run(a!(f, e, s), b(f, e, s));
    if (a) return (f, e, s) => run(a(f, e, s));
    return () => run();
  }

  /** One pass over the list: no filtered or mapped copy is ever built. */
  private loop(loop: Loop, scope: ReadonlyMap<string, number> = new Map()): Compiled {
    const source = this.node(loop.source, scope);
    const index = scope.size;
    const inner = new Map([...scope, [loop.variable, index]]);
    const predicate = loop.predicate ? this.node(loop.predicate, inner) : undefined;
    const value = loop.value ? this.node(loop.value, inner) : undefined;
    const { reduce } = loop;
    return (f, e, s) => {
      const items = source(f, e, s) as readonly unknown[];
      let count = 0;
      const total = new ExactSum();
      let extreme = 0;
      for (let i = 0; i < items.length; i++) {
        e[index] = items[i];
        if (predicate && !predicate(f, e, s)) {
          if (reduce === 'all') return false;
          continue;
        }
        if (reduce === 'exists') return true;
        if (reduce === 'all' || reduce === 'count') {
          count++;
          continue;
        }
        const v = value!(f, e, s) as number;
        if (count === 0) extreme = v;
        else if (reduce === 'max' ? v > extreme : reduce === 'min' ? v < extreme : false) extreme = v;
        if (reduce === 'sum' || reduce === 'avg') total.add(v);
        count++;
      }
      switch (reduce) {
        case 'exists':
          return false;
        case 'all':
          return true;
        case 'count':
          return count;
        case 'sum':
          return total.value();
        case 'avg':
          return count === 0 ? 0 : total.value() / count;
        default:
          return extreme;
      }
    };
  }
}
