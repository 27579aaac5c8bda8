import { createRunFenceGuard, RunSupersededError, type Fence } from './run-fence';

/** A clock that moves only when told to (or when a sleep is awaited). */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => (now += ms),
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function store(initial?: Fence) {
  const port = { fence: initial, reads: 0, read: async () => (port.reads++, port.fence) };
  return port;
}

const TIMINGS = { confirmMs: 1_000, writeTimeoutMs: 2_000, graceMs: 3_500 };
const A = { runId: 'run-a', startedAt: '2026-11-29T01:00:00.000Z' };
const B = { runId: 'run-b', startedAt: '2026-11-30T01:00:00.000Z' };

describe('the run fence', () => {
  it('waits out the grace on the process’s own clock when given none', async () => {
    const guard = createRunFenceGuard(store(A), { confirmMs: 5, writeTimeoutMs: 5, graceMs: 40 });
    const began = performance.now();
    expect(await guard.admit('run-a')).toEqual({ admitted: true });
    expect(performance.now() - began).toBeGreaterThanOrEqual(35);
  });

  it('names what stopped a writer, and how much it had written', () => {
    const error = new RunSupersededError('superseded by run-b', 12);
    expect([error.name, error.message, error.written]).toEqual(['RunSupersededError', 'superseded by run-b', 12]);
  });

  it('admits the current run once it has waited out the grace since first seeing it', async () => {
    const clock = fakeClock();
    const fence = store(A);
    const guard = createRunFenceGuard(fence, TIMINGS, clock);
    expect(await guard.admit('run-a')).toEqual({ admitted: true });
    // The grace was slept, then the fence read again (the reading had aged past confirmMs) before admitting.
    expect(clock.sleeps).toEqual([3_500]);
    expect(fence.reads).toBe(2);
    // Within confirmMs of a reading, no new read; past it, a new one.
    await guard.admit('run-a');
    expect(fence.reads).toBe(2);
    clock.advance(1_000);
    await guard.admit('run-a');
    expect(fence.reads).toBe(3);
    expect(clock.sleeps).toEqual([3_500]);
  });

  it('refuses a superseded run, and reads again before refusing a run it has not seen', async () => {
    const clock = fakeClock();
    const fence = store(A);
    const guard = createRunFenceGuard(fence, TIMINGS, clock);
    await guard.admit('run-a');
    fence.fence = B;
    // The reading still says A (fresh), but B's request reads again and finds B.
    const reads = fence.reads;
    expect(await guard.admit('run-b')).toEqual({ admitted: true });
    expect(fence.reads).toBeGreaterThan(reads);
    const refused = await guard.admit('run-a');
    expect(refused).toMatchObject({ admitted: false, reason: 'superseded', current: B });
    expect(!refused.admitted && refused.message).toBe(
      'run run-a is not the current run (run-b, started 2026-11-30T01:00:00.000Z): its results are not written, so ' +
        'they cannot overwrite the current run’s; drop this request',
    );
  });

  it('stops an older run mid-write once the fence moves: no write of it starts after confirmMs', async () => {
    const clock = fakeClock();
    const fence = store(A);
    const guard = createRunFenceGuard(fence, TIMINGS, clock);
    await guard.admit('run-a');
    fence.fence = B;
    // A stale-enough reading is refreshed, so a retry of A's write is refused.
    clock.advance(TIMINGS.confirmMs);
    expect(await guard.admit('run-a')).toMatchObject({ admitted: false, reason: 'superseded' });
  });

  it('says a run has not started when no run has moved the fence', async () => {
    const guard = createRunFenceGuard(store(undefined), TIMINGS, fakeClock());
    expect(await guard.admit('run-a')).toEqual({
      admitted: false,
      reason: 'not-started',
      message: 'run run-a has not started: no run has moved the fence yet; start the run, then evaluate',
    });
  });

  it('refuses timings whose grace cannot cover a write started under an old reading', () => {
    expect(() => createRunFenceGuard(store(A), { confirmMs: 1_000, writeTimeoutMs: 2_000, graceMs: 2_999 })).toThrow(
      /must be at least confirmMs \+ writeTimeoutMs \(3000 ms\)/,
    );
  });

  it('shares one reading among requests that need it at once', async () => {
    const fence = store(A);
    const guard = createRunFenceGuard(fence, { confirmMs: 1_000, writeTimeoutMs: 0, graceMs: 1_000 }, fakeClock());
    await Promise.all(Array.from({ length: 10 }, () => guard.admit('run-a')));
    expect(fence.reads).toBeLessThanOrEqual(2);
  });
});
