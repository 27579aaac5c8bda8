import { conjuncts, type Expr } from './ast';
import { AGGREGATES, MACROS } from './checker';
import { ExactSum } from './exact-sum';
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

type Reduce = 'sum' | 'avg' | 'max' | 'min' | 'count' | 'exists' | 'all';

type BucketField = 'category' | 'merchant' | 'direction';
/** In order of preference: the most selective bucket a filter offers is the one scanned. */
const BUCKET_FIELDS: readonly BucketField[] = ['merchant', 'category', 'direction'];

/** How a fused aggregate narrows the transactions it scans before applying its residual filter. */
export interface ScanScope {
  /** Scan only these buckets (from a `t.category` or `t.merchant` term), or every transaction. */
  bucket?: { field: BucketField; keys: readonly string[] };
  /** From a `t.daysAgo <= N` term: only transactions at most this many days old count. */
  windowDays?: number;
}

/** What a fused aggregate reads from its group's pass: a value's running figures, at one window. */
interface FusedAccumulator {
  slot: number;
  reduce: Reduce;
  /** Index into the group's measured values (sum, avg, max, min only). */
  measure: number;
  /** Index into the group's windows. */
  window: number;
}

/** A value the pass accumulates for its passing transactions: an exact sum, a maximum, a minimum. */
interface Measure {
  /** What is measured (the field, or the value expression's text): equal values share a measure. */
  key: string;
  /** The transaction field read directly (nearly always `amount`), or a compiled expression. */
  field?: string;
  value?: Compiled;
  total: ExactSum;
  max: number;
  min: number;
}

/**
 * One pass over the transactions of a bucket (or all of them), newest first, for every
 * aggregate with the same filter, whatever its window and reduction: `sum`, `avg`, `count`
 * and `exists` of the same filter share one running count and one exact sum, and a shorter
 * window is read off the same pass when the scan goes past its age.
 */
interface LoopGroup {
  bucket?: ScanScope['bucket'];
  /** The index's bucket ids for `bucket.keys`, fixed when the group is registered. */
  bucketIds: number[];
  residual?: Compiled;
  /** Ascending; Infinity for "no window". More than one only when the pass is in age order. */
  windows: number[];
  measures: Measure[];
  accumulators: FusedAccumulator[];
  /** Passing transactions and transactions seen, so far in the pass. */
  passing: number;
  seen: number;
}

interface Txn {
  daysAgo: number;
  category: string;
  merchant: string;
  direction: string;
}

/**
 * The bucket ids of the few keys the rules name (merchants, categories), looked up once per
 * transaction. Most transactions name none of them: a hash of the length and two characters,
 * with no pass over the string, turns nearly all of those away; a hit costs one comparison.
 */
class KeyTable {
  private readonly keys: (string | undefined)[] = Array.from({ length: 256 }, () => undefined);
  private readonly ids = new Int32Array(256).fill(-1);
  /** Slots two keys share are answered by a Map. */
  private readonly shared = new Uint8Array(256);
  private readonly overflow = new Map<string, number>();

  private static slot(key: string): number {
    const n = key.length;
    return n === 0 ? 0 : ((n * 31) ^ (key.charCodeAt(0) * 7) ^ key.charCodeAt(n - 1)) & 255;
  }

  set(key: string, id: number): void {
    const h = KeyTable.slot(key);
    if (this.shared[h] === 1) {
      this.overflow.set(key, id);
      return;
    }
    const held = this.keys[h];
    if (held === undefined || held === key) {
      this.keys[h] = key;
      this.ids[h] = id;
      return;
    }
    this.shared[h] = 1;
    this.overflow.set(held, this.ids[h]!);
    this.overflow.set(key, id);
    this.keys[h] = undefined;
    this.ids[h] = -1;
  }

  /** The key's bucket id, or -1. */
  get(key: string): number {
    const h = KeyTable.slot(key);
    if (this.keys[h] === key) return this.ids[h]!;
    return this.shared[h] === 1 ? (this.overflow.get(key) ?? -1) : -1;
  }
}

/**
 * Per-customer index of transactions, reused from customer to customer (no allocation
 * once warm): the transactions newest first (a counting sort on whole days), and, for
 * the bucket keys some fused group asks for (known when the rules are compiled), the
 * transactions with that key, newest first too.
 */
class TransactionIndex {
  newest: Txn[] = [];
  newestCount = 0;
  readonly bucketItems: Txn[][] = [];
  bucketCounts = new Int32Array(0);
  private readonly tables = new Map<BucketField, KeyTable>();
  private dayStarts = new Int32Array(0);

  bucketId(field: BucketField, key: string): number {
    let table = this.tables.get(field);
    if (!table) {
      table = new KeyTable();
      this.tables.set(field, table);
    }
    const known = table.get(key);
    if (known >= 0) return known;
    const id = this.bucketItems.length;
    table.set(key, id);
    this.bucketItems.push([]);
    this.bucketCounts = new Int32Array(this.bucketItems.length);
    return id;
  }

  build(transactions: readonly Txn[]): void {
    const n = transactions.length;
    if (this.newest.length < n) this.newest = new Array<Txn>(n);
    let maxDay = 0;
    let wholeDays = true;
    for (let i = 0; i < n; i++) {
      const d = transactions[i]!.daysAgo;
      if (!(Number.isInteger(d) && d >= 0 && d < 4096)) {
        wholeDays = false;
        break;
      }
      if (d > maxDay) maxDay = d;
    }
    if (wholeDays) {
      if (this.dayStarts.length < maxDay + 2) this.dayStarts = new Int32Array(maxDay + 2);
      const starts = this.dayStarts;
      starts.fill(0, 0, maxDay + 2);
      for (let i = 0; i < n; i++) starts[transactions[i]!.daysAgo + 1]!++;
      for (let d = 1; d < maxDay + 2; d++) starts[d]! += starts[d - 1]!;
      for (let i = 0; i < n; i++) {
        const t = transactions[i]!;
        this.newest[starts[t.daysAgo]!++] = t;
      }
    } else {
      const sorted = [...transactions].sort((a, b) => a.daysAgo - b.daysAgo);
      for (let i = 0; i < n; i++) this.newest[i] = sorted[i]!;
    }
    this.newestCount = n;
    const counts = this.bucketCounts;
    counts.fill(0);
    // One loop per field with a plain property read: a computed t[field] read is far slower here.
    const items = this.bucketItems;
    const newest = this.newest;
    const byCategory = this.tables.get('category');
    if (byCategory) {
      for (let i = 0; i < n; i++) {
        const id = byCategory.get(newest[i]!.category);
        if (id >= 0) items[id]![counts[id]!++] = newest[i]!;
      }
    }
    const byMerchant = this.tables.get('merchant');
    if (byMerchant) {
      for (let i = 0; i < n; i++) {
        const id = byMerchant.get(newest[i]!.merchant);
        if (id >= 0) items[id]![counts[id]!++] = newest[i]!;
      }
    }
    const byDirection = this.tables.get('direction');
    if (byDirection) {
      for (let i = 0; i < n; i++) {
        const id = byDirection.get(newest[i]!.direction);
        if (id >= 0) items[id]![counts[id]!++] = newest[i]!;
      }
    }
  }
}

/**
 * Aggregates over the customer's transactions, shared by every expression compiled
 * with the same plan, so each is computed once per customer however many rules use it.
 * Aggregates over `transactions` with the same filter are fused into one pass, which
 * scans only the buckets and the time window its filter allows.
 */
export class AggregatePlan {
  readonly aggregates: HoistedAggregate[] = [];
  private readonly slots = new Map<string, number>();
  private readonly groups = new Map<string, LoopGroup>();
  private groupList: LoopGroup[] = [];
  private readonly index = new TransactionIndex();

  get size(): number {
    return this.slots.size;
  }

  /** The canonical text of every aggregate, in slot order. */
  get keys(): string[] {
    return [...this.slots.keys()];
  }

  get fusedGroups(): number {
    return this.groups.size;
  }

  slotFor(key: string, compute: HoistedAggregate['compute']): number {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      this.aggregates.push({ key, compute });
      this.slots.set(key, slot);
    }
    return slot;
  }

  /**
   * Registers an aggregate in the pass of its filter. `filterKey` names the filter (variable,
   * bucket, residual); `valueKey` the value summed or compared, so that equal values share.
   */
  fusedSlotFor(
    key: string,
    filterKey: string,
    scope: ScanScope & { residual?: Compiled },
    accumulator: { reduce: Reduce; value?: Compiled; valueField?: string; valueKey?: string },
  ): number {
    let slot = this.slots.get(key);
    if (slot !== undefined) return slot;
    slot = this.slots.size;
    this.slots.set(key, slot);
    const bucket = scope.bucket;
    const window = scope.windowDays ?? Infinity;
    // Several buckets are scanned one after the other, each in age order but not all together:
    // a window is then a filter of its own pass, not a point in a shared one.
    const groupKey = bucket && bucket.keys.length > 1 ? `${filterKey}|${window}` : filterKey;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = {
        bucket,
        bucketIds: bucket ? bucket.keys.map((k) => this.index.bucketId(bucket.field, k)) : [],
        residual: scope.residual,
        windows: [],
        measures: [],
        accumulators: [],
        passing: 0,
        seen: 0,
      };
      this.groups.set(groupKey, group);
      this.groupList = [...this.groups.values()];
    }
    if (!group.windows.includes(window)) {
      // Keep windows ascending; the accumulators' window indexes follow.
      const before = [...group.windows];
      group.windows = [...before, window].sort((a, b) => a - b);
      for (const a of group.accumulators) a.window = group.windows.indexOf(before[a.window]!);
    }
    let measure = -1;
    if (accumulator.reduce !== 'count' && accumulator.reduce !== 'exists' && accumulator.reduce !== 'all') {
      const valueKey = accumulator.valueField ?? accumulator.valueKey ?? String(slot);
      measure = group.measures.findIndex((m) => m.key === valueKey);
      if (measure < 0) {
        measure = group.measures.length;
        group.measures.push({
          key: valueKey,
          field: accumulator.valueField,
          value: accumulator.valueField ? undefined : accumulator.value,
          total: new ExactSum(),
          max: 0,
          min: 0,
        });
      }
    }
    group.accumulators.push({ slot, reduce: accumulator.reduce, measure, window: group.windows.indexOf(window) });
    return slot;
  }

  computeAll(facts: Readonly<Record<string, unknown>>): unknown[] {
    const values = new Array<unknown>(this.slots.size);
    if (this.groupList.length > 0) this.computeFused(facts, values);
    // Then the others in registration order: a nested aggregate registers before the one around it,
    // and fused aggregates never read other slots.
    for (const aggregate of this.aggregates) values[this.slots.get(aggregate.key)!] = aggregate.compute(facts, values);
    return values;
  }

  private computeFused(facts: Readonly<Record<string, unknown>>, values: unknown[]): void {
    const index = this.index;
    index.build(facts.transactions as readonly Txn[]);
    const env: unknown[] = [undefined];
    for (const group of this.groupList) {
      group.passing = 0;
      group.seen = 0;
      for (const m of group.measures) m.total.reset();
      let settled = 0;
      if (!group.bucket) {
        settled = this.scan(group, index.newest, index.newestCount, true, facts, env, values);
      } else if (group.bucketIds.length === 1) {
        const id = group.bucketIds[0]!;
        settled = this.scan(group, index.bucketItems[id]!, index.bucketCounts[id]!, true, facts, env, values);
      } else {
        for (const id of group.bucketIds)
          this.scan(group, index.bucketItems[id]!, index.bucketCounts[id]!, false, facts, env, values);
      }
      for (let window = settled; window < group.windows.length; window++) this.settle(group, window, values);
    }
  }

  /**
   * Scans items newest first up to the group's longest window. When `settling`, each shorter
   * window is settled as the scan first passes its age; returns how many were.
   */
  private scan(
    group: LoopGroup,
    items: readonly Txn[],
    length: number,
    settling: boolean,
    facts: Readonly<Record<string, unknown>>,
    env: unknown[],
    values: unknown[],
  ): number {
    const { residual, windows, measures } = group;
    const lastWindow = windows.length - 1;
    let window = settling ? 0 : lastWindow;
    let bound = windows[window]!;
    const m = measures.length;
    let passing = group.passing;
    let seen = group.seen;
    for (let i = 0; i < length; i++) {
      const item = items[i]!;
      if (item.daysAgo > bound) {
        group.passing = passing;
        group.seen = seen;
        while (window < lastWindow && item.daysAgo > windows[window]!) this.settle(group, window++, values);
        if (item.daysAgo > windows[window]!) break;
        bound = windows[window]!;
      }
      seen++;
      env[0] = item;
      if (residual !== undefined && residual(facts, env, values) !== true) continue;
      const first = passing++ === 0;
      for (let k = 0; k < m; k++) {
        const measure = measures[k]!;
        const v = (
          measure.field !== undefined
            ? (item as unknown as Record<string, number>)[measure.field]
            : measure.value!(facts, env, values)
        ) as number;
        measure.total.add(v);
        if (first) {
          measure.max = v;
          measure.min = v;
        } else {
          if (v > measure.max) measure.max = v;
          if (v < measure.min) measure.min = v;
        }
      }
    }
    group.passing = passing;
    group.seen = seen;
    return settling ? window : 0;
  }

  /** Writes the value of every aggregate of this window, from the pass's figures so far. */
  private settle(group: LoopGroup, window: number, values: unknown[]): void {
    const { passing, seen, measures } = group;
    for (const a of group.accumulators) {
      if (a.window !== window) continue;
      switch (a.reduce) {
        case 'count':
          values[a.slot] = passing;
          break;
        case 'exists':
          values[a.slot] = passing > 0;
          break;
        case 'all':
          values[a.slot] = passing === seen;
          break;
        case 'sum':
          values[a.slot] = measures[a.measure]!.total.value();
          break;
        case 'avg':
          values[a.slot] = passing === 0 ? 0 : measures[a.measure]!.total.value() / passing;
          break;
        case 'max':
          values[a.slot] = passing === 0 ? 0 : measures[a.measure]!.max;
          break;
        case 'min':
          values[a.slot] = passing === 0 ? 0 : measures[a.measure]!.min;
          break;
      }
    }
  }
}

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
  reduce: Reduce;
}

/** A `v.merchant`, `v.category` or `v.direction` equality or `in` term: the bucket it selects. */
function bucketTerm(term: Expr, variable: string): ScanScope['bucket'] {
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
function windowTerm(term: Expr, variable: string): number | undefined {
  if (term.kind !== 'binary' || term.op !== '<=' || term.left.kind !== 'member' || term.left.property !== 'daysAgo')
    return undefined;
  if (term.left.object.kind !== 'ident' || term.left.object.name !== variable) return undefined;
  return term.right.kind === 'literal' && typeof term.right.value === 'number' ? term.right.value : undefined;
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
      const set = new Set(expr.right.elements.map((el) => (el as { value: unknown }).value));
      if (element) {
        const { index, field } = element;
        return (_f, e) => set.has((e[index] as Row)[field]);
      }
      const { name, field } = top!;
      return (f) => set.has((f[name] as Row)[field]);
    }
    if (expr.right.kind !== 'literal') return undefined;
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
