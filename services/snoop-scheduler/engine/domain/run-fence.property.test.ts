/**
 * The run fence's promise over generated timelines (fast-check; a failure prints its seed and smallest timeline):
 * whatever the engine processes ask and when, every write admitted for an older run has finished (started, plus the
 * longest a write may last) before the first write admitted for a newer run starts.
 */
import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import { createRunFenceGuard, DEFAULT_FENCE_TIMINGS, type Fence } from './run-fence';

const RUNS = ['run-a', 'run-b', 'run-c'] as const;
const { confirmMs, writeTimeoutMs } = DEFAULT_FENCE_TIMINGS;

describe('the run fence over any timeline', () => {
  it('lets no write of an older run overlap a write of a newer one, across processes', async () => {
    const request = fc.record({
      at: fc.integer({ min: 0, max: 30_000 }),
      process: fc.integer({ min: 0, max: 2 }),
      run: fc.constantFrom(...RUNS),
    });
    await fc.assert(
      fc.asyncProperty(
        // When the fence moves to run-b, then to run-c (run-a is current from the start).
        fc.integer({ min: 0, max: 15_000 }),
        fc.integer({ min: 0, max: 15_000 }),
        fc.array(request, { maxLength: 40 }),
        async (toB, bToC, requests) => {
          // One timeline for every process (the guard compares only its own process's clock with itself).
          let now = 0;
          const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
          const fenceAt = (t: number): Fence => {
            const runId = t < toB ? 'run-a' : t < toB + bToC ? 'run-b' : 'run-c';
            return { runId, startedAt: new Date(Date.UTC(2026, 11, 1, RUNS.indexOf(runId))).toISOString() };
          };
          const store = { read: async () => fenceAt(now) };
          const guards = [0, 1, 2].map(() => createRunFenceGuard(store, DEFAULT_FENCE_TIMINGS, clock));
          const admittedAt = new Map<string, number[]>(RUNS.map((run) => [run, []]));
          for (const r of [...requests].sort((a, b) => a.at - b.at)) {
            now = Math.max(now, r.at);
            if ((await guards[r.process]!.admit(r.run)).admitted) admittedAt.get(r.run)!.push(now);
          }
          const moves = { 'run-a': toB, 'run-b': toB + bToC };
          for (const [older, newer] of [
            ['run-a', 'run-b'],
            ['run-b', 'run-c'],
            ['run-a', 'run-c'],
          ] as const) {
            const lastOlder = Math.max(...admittedAt.get(older)!);
            const firstNewer = Math.min(...admittedAt.get(newer)!);
            if (Number.isFinite(lastOlder) && Number.isFinite(firstNewer))
              expect(lastOlder + writeTimeoutMs).toBeLessThanOrEqual(firstNewer);
            // No write of the older run starts more than confirmMs after the fence left it.
            for (const t of admittedAt.get(older)!) expect(t).toBeLessThanOrEqual(moves[older] + confirmMs);
          }
        },
      ),
      { numRuns: propertyRuns(300) },
    );
  });
});
