/**
 * The per-customer side of the compiler: every aggregate over a customer's data is computed once per customer
 * for all rules, in as few passes over the transactions as their filters allow, off an index of the
 * transactions built once per customer.
 */
import { ExactSum } from '../exact-sum';
import type { BucketField, Compiled, HoistedAggregate, Reduce, ScanScope } from './types';

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

  // Stryker disable all: equivalent, any hash gives the same answers (a slot two keys share falls back to the Map).
  private static slot(key: string): number {
    const n = key.length;
    return n === 0 ? 0 : ((n * 31) ^ (key.charCodeAt(0) * 7) ^ key.charCodeAt(n - 1)) & 255;
  }
  // Stryker restore all

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
    // Stryker disable all: equivalent, which sort orders the transactions newest first (the counting sort for whole
    // days, the general one otherwise: both stable, so the same order) and how buffers grow (a JS array grows on
    // write; a typed array ignores a write past its end); paths.test.ts meets both sorts.
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
      // A counting sort by day. (No `x[i]!++`: Babel, which mutation testing parses with, cannot read it.)
      for (let i = 0; i < n; i++) {
        const next = transactions[i]!.daysAgo + 1;
        starts[next] = starts[next]! + 1;
      }
      for (let d = 1; d < maxDay + 2; d++) starts[d] = starts[d]! + starts[d - 1]!;
      for (let i = 0; i < n; i++) {
        const t = transactions[i]!;
        const at = starts[t.daysAgo]!;
        starts[t.daysAgo] = at + 1;
        this.newest[at] = t;
      }
    } else {
      const sorted = [...transactions].sort((a, b) => a.daysAgo - b.daysAgo);
      for (let i = 0; i < n; i++) this.newest[i] = sorted[i]!;
    }
    // Stryker restore all
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
        if (id >= 0) items[id]![(counts[id] = counts[id]! + 1) - 1] = newest[i]!;
      }
    }
    const byMerchant = this.tables.get('merchant');
    if (byMerchant) {
      for (let i = 0; i < n; i++) {
        const id = byMerchant.get(newest[i]!.merchant);
        if (id >= 0) items[id]![(counts[id] = counts[id]! + 1) - 1] = newest[i]!;
      }
    }
    const byDirection = this.tables.get('direction');
    if (byDirection) {
      for (let i = 0; i < n; i++) {
        const id = byDirection.get(newest[i]!.direction);
        if (id >= 0) items[id]![(counts[id] = counts[id]! + 1) - 1] = newest[i]!;
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

  /** Set when an expression reads the customer's transactions other than through a fused pass. */
  private readsWholeList = false;

  noteWholeTransactionList(): void {
    this.readsWholeList = true;
  }

  /**
   * How many days of transactions the expressions compiled so far can see: the longest window of any fused pass (0
   * when none reads transactions), Infinity when one has no window or a transaction is read another way.
   */
  get longestWindowDays(): number {
    if (this.readsWholeList) return Infinity;
    let longest = 0;
    for (const group of this.groupList) for (const window of group.windows) longest = Math.max(longest, window);
    return longest;
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
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, at the bound nothing settles.
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
          // As the functions table computes them: independent of order (NaN wins, -0 is below 0).
          measure.max = Math.max(measure.max, v);
          measure.min = Math.min(measure.min, v);
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
