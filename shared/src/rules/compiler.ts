import type { Expr } from './ast';
import { AGGREGATES } from './checker';
import { aggregate, interpret } from './interpreter';
import { printExpression } from './printer';

/** A compiled expression: facts are the customer variables, env the macro variables, slots the hoisted aggregates. */
export type Compiled = (facts: Readonly<Record<string, unknown>>, env: unknown[], slots: unknown[]) => unknown;

export interface HoistedAggregate {
  /** Canonical CEL text: two rules that use the same aggregate share one computation. */
  key: string;
  /** `slots` holds the aggregates registered before this one (those nested inside it among them). */
  compute: (facts: Readonly<Record<string, unknown>>, slots: unknown[]) => unknown;
}

/**
 * Aggregates over the customer's transactions, shared by every expression compiled
 * with the same plan, so each is computed once per customer however many rules use it.
 */
export class AggregatePlan {
  readonly aggregates: HoistedAggregate[] = [];
  private readonly slots = new Map<string, number>();

  slotFor(key: string, compute: HoistedAggregate['compute']): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.aggregates.length;
      this.aggregates.push({ key, compute });
      this.slots.set(key, slot);
    }
    return slot;
  }

  computeAll(facts: Readonly<Record<string, unknown>>): unknown[] {
    const values = new Array<unknown>(this.aggregates.length);
    // Slot order is registration order, and a nested aggregate registers before the one around it.
    for (let i = 0; i < this.aggregates.length; i++) values[i] = this.aggregates[i]!.compute(facts, values);
    return values;
  }
}

const isLiteral = (e: Expr): e is Extract<Expr, { kind: 'literal' }> => e.kind === 'literal';

/** Constant folding: any operator whose operands are all literals becomes a literal; && and || short-circuit. */
export function fold(expr: Expr): Expr {
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
    case 'member':
      return { ...expr, object: fold(expr.object) };
    case 'list':
      return { ...expr, elements: expr.elements.map(fold) };
    case 'call':
      return { ...expr, target: expr.target && fold(expr.target), args: expr.args.map(fold) };
    default:
      return expr;
  }
}

/** Names an expression uses that are not bound inside it. */
function freeNames(expr: Expr, bound: ReadonlySet<string> = new Set()): Set<string> {
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
        if (node.target && node.args[0]?.kind === 'ident' && ['filter', 'map', 'exists', 'all'].includes(node.name)) {
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

type Macro = { list: Expr; variable: string; body: Expr };
const macroOf = (e: Expr, name: string): Macro | undefined =>
  e.kind === 'call' && e.name === name && e.target && e.args[0]?.kind === 'ident' && e.args.length === 2
    ? { list: e.target, variable: e.args[0].name, body: e.args[1]! }
    : undefined;

/**
 * The shapes business rules use over transactions, compiled to one loop with no
 * intermediate list: AGG(L.filter(t, P).map(t, E)), AGG(L.map(t, E)),
 * size(L.filter(t, P)), L.exists(t, P), L.all(t, P).
 */
interface Loop {
  source: Expr;
  variable: string;
  predicate?: Expr;
  value?: Expr;
  reduce: 'sum' | 'avg' | 'max' | 'min' | 'count' | 'exists' | 'all';
}

function loopOf(expr: Expr): Loop | undefined {
  if (expr.kind !== 'call') return undefined;
  if (expr.target && (expr.name === 'exists' || expr.name === 'all')) {
    const macro = macroOf(expr, expr.name)!;
    return macro && { source: macro.list, variable: macro.variable, predicate: macro.body, reduce: expr.name };
  }
  if (expr.target || expr.args.length !== 1) return undefined;
  const argument = expr.args[0]!;
  if (expr.name === 'size') {
    const filter = macroOf(argument, 'filter');
    return filter && { source: filter.list, variable: filter.variable, predicate: filter.body, reduce: 'count' };
  }
  if (!(AGGREGATES as readonly string[]).includes(expr.name)) return undefined;
  const map = macroOf(argument, 'map');
  if (!map) return undefined;
  const filter = macroOf(map.list, 'filter');
  const reduce = expr.name as Loop['reduce'];
  if (!filter) return { source: map.list, variable: map.variable, value: map.body, reduce };
  // filter(t, P).map(u, E): E sees the element under its own name.
  return filter.variable === map.variable
    ? { source: filter.list, variable: filter.variable, predicate: filter.body, value: map.body, reduce }
    : undefined;
}

export class Compiler {
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
      const computeLoop = this.loop(loop);
      const slot = this.plan.slotFor(printExpression(expr), (facts, slots) => computeLoop(facts, [], slots));
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
        return (facts) => facts[name];
      }
      case 'member': {
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

  private binary(expr: Extract<Expr, { kind: 'binary' }>, scope: ReadonlyMap<string, number>): Compiled {
    const l = this.node(expr.left, scope);
    const r = this.node(expr.right, scope);
    switch (expr.op) {
      case '&&':
        return (f, e, s) => Boolean(l(f, e, s)) && Boolean(r(f, e, s));
      case '||':
        return (f, e, s) => Boolean(l(f, e, s)) || Boolean(r(f, e, s));
      case '==':
        return (f, e, s) => l(f, e, s) === r(f, e, s);
      case '!=':
        return (f, e, s) => l(f, e, s) !== r(f, e, s);
      case '<':
        return (f, e, s) => (l(f, e, s) as number) < (r(f, e, s) as number);
      case '<=':
        return (f, e, s) => (l(f, e, s) as number) <= (r(f, e, s) as number);
      case '>':
        return (f, e, s) => (l(f, e, s) as number) > (r(f, e, s) as number);
      case '>=':
        return (f, e, s) => (l(f, e, s) as number) >= (r(f, e, s) as number);
      case 'in':
        return (f, e, s) => (r(f, e, s) as unknown[]).includes(l(f, e, s));
      case '+':
        return (f, e, s) => (l(f, e, s) as number) + (r(f, e, s) as number);
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
      const target = this.node(expr.target, scope);
      const macro = ['filter', 'map'].includes(expr.name) ? macroOf(expr, expr.name) : undefined;
      if (macro) {
        const index = scope.size;
        const body = this.node(macro.body, new Map([...scope, [macro.variable, index]]));
        return expr.name === 'filter'
          ? (f, e, s) => (target(f, e, s) as unknown[]).filter((item) => ((e[index] = item), body(f, e, s)))
          : (f, e, s) => (target(f, e, s) as unknown[]).map((item) => ((e[index] = item), body(f, e, s)));
      }
      if (expr.name === 'size') return (f, e, s) => (target(f, e, s) as unknown[] | string).length;
      const argument = this.node(expr.args[0]!, scope);
      if (expr.name === 'contains')
        return (f, e, s) => (target(f, e, s) as string).includes(argument(f, e, s) as string);
      if (expr.name === 'startsWith')
        return (f, e, s) => (target(f, e, s) as string).startsWith(argument(f, e, s) as string);
      return (f, e, s) => (target(f, e, s) as string).endsWith(argument(f, e, s) as string);
    }
    const args = expr.args.map((a) => this.node(a, scope));
    const [a, b] = args;
    if (expr.name === 'size') return (f, e, s) => (a!(f, e, s) as unknown[] | string).length;
    if (b) {
      return expr.name === 'max'
        ? (f, e, s) => Math.max(a!(f, e, s) as number, b(f, e, s) as number)
        : (f, e, s) => Math.min(a!(f, e, s) as number, b(f, e, s) as number);
    }
    const name = expr.name;
    return (f, e, s) => aggregate(name, a!(f, e, s) as number[]);
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
      let total = 0;
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
        total += v;
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
          return total;
        case 'avg':
          return count === 0 ? 0 : total / count;
        default:
          return extreme;
      }
    };
  }
}
