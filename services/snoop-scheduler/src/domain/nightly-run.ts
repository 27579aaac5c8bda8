/**
 * The customer step of the nightly run: open the night's run (once: a second trigger the same night resumes it,
 * never starts another), move the run fence to it, and page the eligible customers onto the eligible-customers queue
 * from a stored cursor, so that an invocation that runs out of time, or dies, is continued by the next trigger where
 * the last page ended. The cursor moves after a page is queued: a crash between the two queues that page again (at
 * most one page), which the customer-rules FIFO queue deduplicates on run and customer and the results' key makes
 * harmless.
 */

export interface RunRecord {
  runId: string;
  /** The evaluation day. */
  on: string;
  startedAt: string;
  rulesVersion?: string;
  /** The last customer id queued (pages go in customer id order). */
  cursor?: string;
  queued: number;
  queueingDone: boolean;
  queueingDoneAt?: string;
  /** Counted by the invoke step as the engine answers. */
  customersScored: number;
  customersFailed: number;
  evaluations: number;
}

/** A run as it is opened: nothing queued or scored yet. */
export const newRun = (run: Pick<RunRecord, 'runId' | 'on' | 'startedAt' | 'rulesVersion'>): RunRecord => ({
  ...run,
  queued: 0,
  queueingDone: false,
  customersScored: 0,
  customersFailed: 0,
  evaluations: 0,
});

export interface RunStore {
  /** Creates the run unless it exists; returns it as it is now either way. */
  open(
    run: Pick<RunRecord, 'runId' | 'on' | 'startedAt' | 'rulesVersion'>,
  ): Promise<{ created: boolean; run: RunRecord }>;
  /** Records a queued page: the cursor moves from `from` (undefined: the start) to `to`, never back. */
  advance(runId: string, from: string | undefined, to: string, queued: number): Promise<void>;
  finishQueueing(runId: string, at: string): Promise<void>;
  moveFence(run: { runId: string; startedAt: string }): Promise<void>;
}

export type CustomerPager = (after: string | undefined, limit: number) => Promise<string[]>;

export interface CustomerQueue {
  /** Sends the customers (in batches of 10); throws if any could not be sent. */
  send(runId: string, on: string, customerIds: readonly string[]): Promise<void>;
}

export interface QueueRunOptions {
  runs: RunStore;
  pageEligibleCustomers: CustomerPager;
  queue: CustomerQueue;
  /** The active rule set's version, recorded on the run (the engine names its own on every result). */
  rulesVersion?: string;
  now: Date;
  /** A run named by hand (a re-run, a test); by default the night's (`night-<date>`). */
  runId?: string;
  /** A sample run by hand: queueing ends after this many customers (the first in id order). */
  maxCustomers?: number;
  /** Milliseconds left before the invocation must stop (it is continued by the next trigger). */
  remainingMs: () => number;
  pageSize?: number;
  onPage?: (queued: number) => void;
}

export interface QueueRunOutcome {
  runId: string;
  created: boolean;
  queuedNow: number;
  queued: number;
  done: boolean;
}

/** The night a trigger belongs to: a run per UTC day, named after it. */
export const nightlyRunId = (now: Date): string => `night-${now.toISOString().slice(0, 10)}`;

/** Time one page needs at most (a query and 50 batches of 10 to SQS), kept in hand before starting it. */
const PAGE_RESERVE_MS = 10_000;

export async function queueNightlyRun(options: QueueRunOptions): Promise<QueueRunOutcome> {
  const pageSize = options.pageSize ?? 500;
  const runId = options.runId ?? nightlyRunId(options.now);
  const { created, run } = await options.runs.open({
    runId,
    on: options.now.toISOString().slice(0, 10),
    startedAt: options.now.toISOString(),
    ...(options.rulesVersion ? { rulesVersion: options.rulesVersion } : {}),
  });
  if (run.queueingDone) return { runId, created, queuedNow: 0, queued: run.queued, done: true };
  // Moved on every trigger of the night (it only moves forward): a fence that a crash left behind is set again.
  await options.runs.moveFence({ runId, startedAt: run.startedAt });

  let cursor = run.cursor;
  let queued = run.queued;
  let queuedNow = 0;
  const quota = options.maxCustomers ?? Infinity;
  while (options.remainingMs() > PAGE_RESERVE_MS) {
    const page = queued >= quota ? [] : await options.pageEligibleCustomers(cursor, Math.min(pageSize, quota - queued));
    if (page.length === 0) {
      await options.runs.finishQueueing(runId, new Date().toISOString());
      return { runId, created, queuedNow, queued, done: true };
    }
    await options.queue.send(runId, run.on, page);
    const last = page[page.length - 1]!;
    await options.runs.advance(runId, cursor, last, page.length);
    cursor = last;
    queued += page.length;
    queuedNow += page.length;
    options.onPage?.(queued);
  }
  return { runId, created, queuedNow, queued, done: false };
}

/** A run is complete when every queued customer is either scored or dead-lettered. */
export const runComplete = (run: RunRecord): boolean =>
  run.queueingDone && run.customersScored + run.customersFailed >= run.queued;

/** Whether the night's run is done by its deadline, and if not, what is missing, in words (no customer in them). */
export function nightlyRunVerdict(
  run: RunRecord | undefined,
  runId: string,
): { complete: boolean; runId: string; reason: string } {
  if (!run) return { complete: false, runId, reason: 'no run was opened tonight (is the schedule enabled?)' };
  if (!run.queueingDone)
    return { complete: false, runId, reason: `queueing stopped at ${run.queued} customers (the customer step)` };
  if (!runComplete(run))
    return {
      complete: false,
      runId,
      reason: `${run.queued - run.customersScored - run.customersFailed} of ${run.queued} customers not scored yet`,
    };
  return {
    complete: true,
    runId,
    reason: `${run.customersScored} customers scored, ${run.customersFailed} failed, ${run.evaluations} evaluations`,
  };
}
