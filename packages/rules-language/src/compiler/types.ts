/** What the compiler's parts share: the compiled form, hoisted aggregates, and how a scan is narrowed. */
import type { Reduction } from '../functions';

/** A compiled expression: facts are the customer variables, env the macro variables, slots the hoisted aggregates. */
export type Compiled = (facts: Readonly<Record<string, unknown>>, env: unknown[], slots: unknown[]) => unknown;

export interface HoistedAggregate {
  /** Canonical CEL text: two rules that use the same aggregate share one computation. */
  key: string;
  /** `slots` holds the aggregates registered before this one (those nested inside it among them). */
  compute: (facts: Readonly<Record<string, unknown>>, slots: unknown[]) => unknown;
}

/** What a one-pass loop computes: a function's reduction, or a macro's verdict. */
export type Reduce = Reduction | 'exists' | 'all';

export type BucketField = 'category' | 'merchant' | 'direction';
/** In order of preference: the most selective bucket a filter offers is the one scanned. */
export const BUCKET_FIELDS: readonly BucketField[] = ['merchant', 'category', 'direction'];

/** How a fused aggregate narrows the transactions it scans before applying its residual filter. */
export interface ScanScope {
  /** Scan only these buckets (from a `t.category` or `t.merchant` term), or every transaction. */
  bucket?: { field: BucketField; keys: readonly string[] };
  /** From a `t.daysAgo <= N` term: only transactions at most this many days old count. */
  windowDays?: number;
}
