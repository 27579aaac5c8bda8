/**
 * The run fence: only the current run writes results. BatchWriteItem takes no condition, so a result cannot refuse
 * an older write by itself; instead every engine process asks the fence before each write, and a run's first writes
 * wait out a grace period after the process first sees that run. Why that is enough:
 *
 * - the fence moves forward only (the nightly run moves it when it starts; a run is never resumed once superseded);
 * - an engine starts a write for run A only within `confirmMs` of having read the fence saying A, so once the fence
 *   moves to B at time T no write for A starts after T + confirmMs, and none lasts past its `writeTimeoutMs`;
 * - an engine writes for B only from `graceMs` (>= confirmMs + writeTimeoutMs) after it first saw B, which is after
 *   T: every write for A has landed or failed before the first write for B, so B's results are the last word.
 *
 * The only clock compared is each process's own, so no two machines' clocks need to agree.
 */

export interface Fence {
  runId: string;
  /** When the run started (ISO-8601); the fence only moves to a later start. */
  startedAt: string;
}

export interface FenceStore {
  read(): Promise<Fence | undefined>;
}

export interface FenceTimings {
  /** How old a fence reading may be when a write starts. */
  confirmMs: number;
  /** How long one write may take before it is abandoned (the DynamoDB client's request timeout). */
  writeTimeoutMs: number;
  /** How long after first seeing a run its writes may start; at least confirmMs + writeTimeoutMs. */
  graceMs: number;
}

export const DEFAULT_FENCE_TIMINGS: FenceTimings = { confirmMs: 1_000, writeTimeoutMs: 2_000, graceMs: 3_500 };

export type Admission =
  { admitted: true } | { admitted: false; reason: 'superseded' | 'not-started'; current?: Fence; message: string };

/** A writer stopped because the fence moved on while it wrote: `written` results were written before. */
export class RunSupersededError extends Error {
  constructor(
    message: string,
    readonly written: number,
  ) {
    super(message);
    this.name = 'RunSupersededError';
  }
}

export interface RunFenceGuard {
  /**
   * May results of `runId` be written now? Waits out the grace period of a run just seen. Call it before each write
   * (and before each retry of one): a reading older than confirmMs is refreshed first.
   */
  admit(runId: string): Promise<Admission>;
}

export function createRunFenceGuard(
  store: FenceStore,
  timings: FenceTimings = DEFAULT_FENCE_TIMINGS,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
    now: () => performance.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  },
): RunFenceGuard {
  if (timings.graceMs < timings.confirmMs + timings.writeTimeoutMs)
    throw new Error(
      `the run fence's grace (${timings.graceMs} ms) must be at least confirmMs + writeTimeoutMs ` +
        `(${timings.confirmMs + timings.writeTimeoutMs} ms), or an older run's write could land after a newer one's`,
    );
  let reading: { fence: Fence | undefined; at: number } | undefined;
  let pending: Promise<Fence | undefined> | undefined;
  /** When this process first saw each run as current (its own clock). */
  const firstSeen = new Map<string, number>();

  const read = async (): Promise<Fence | undefined> => {
    // One reading at a time, shared by every request that needs it.
    pending ??= store.read().finally(() => (pending = undefined));
    const fence = await pending;
    reading = { fence, at: clock.now() };
    if (fence && !firstSeen.has(fence.runId)) {
      firstSeen.set(fence.runId, reading.at);
      // Only the current run and its predecessor matter; the map never grows. Only the current run's entry is ever
      // read, so what this keeps or drops of the others changes no answer, only the map's size.
      // Stryker disable next-line all: equivalent, see above.
      for (const runId of firstSeen.keys()) if (firstSeen.size > 2 && runId !== fence.runId) firstSeen.delete(runId);
    }
    return fence;
  };

  /** The fence as read less than confirmMs ago, reading it again if needed (or if `fresh`). */
  const confirmed = async (fresh: boolean): Promise<Fence | undefined> =>
    !fresh && reading && clock.now() - reading.at < timings.confirmMs ? reading.fence : read();

  return {
    async admit(runId) {
      for (;;) {
        let fence = await confirmed(false);
        // A run just started may not be in a recent reading yet: read again before refusing.
        if (fence?.runId !== runId) fence = await confirmed(true);
        if (!fence)
          return {
            admitted: false,
            reason: 'not-started',
            message: `run ${runId} has not started: no run has moved the fence yet; start the run, then evaluate`,
          };
        if (fence.runId !== runId)
          return {
            admitted: false,
            reason: 'superseded',
            current: fence,
            message:
              `run ${runId} is not the current run (${fence.runId}, started ${fence.startedAt}): its results are ` +
              'not written, so they cannot overwrite the current run’s; drop this request',
          };
        const waitMs = firstSeen.get(runId)! + timings.graceMs - clock.now();
        if (waitMs <= 0) return { admitted: true };
        // After the wait the reading is old: confirm the run is still current before admitting.
        await clock.sleep(waitMs);
      }
    },
  };
}
