import { createLogger } from '@backbone/shared';
import { newRun, type RunRecord, type RunStore } from '../../domain/nightly-run';
import { createQueueEligibleCustomersHandler } from './handler';

const NOW = new Date('2026-11-30T01:00:00.000Z');

function setUp(customers: string[], remainingMs = 60_000) {
  const runs = new Map<string, RunRecord>();
  const fences: string[] = [];
  const store: RunStore = {
    async open(run) {
      const existing = runs.get(run.runId);
      if (existing) return { created: false, run: existing };
      const created = newRun(run);
      runs.set(run.runId, created);
      return { created: true, run: created };
    },
    async advance(runId, _from, to, queued) {
      const run = runs.get(runId)!;
      runs.set(runId, { ...run, cursor: to, queued: run.queued + queued });
    },
    async finishQueueing(runId, at) {
      runs.set(runId, { ...runs.get(runId)!, queueingDone: true, queueingDoneAt: at });
    },
    moveFence: async (run) => void fences.push(run.runId),
  };
  const queued: [string, string, readonly string[]][] = [];
  const handler = createQueueEligibleCustomersHandler({
    runs: store,
    pageEligibleCustomers: async (after, limit) =>
      customers.filter((id) => after === undefined || id > after).slice(0, limit),
    queue: { send: async (runId, on, ids) => void queued.push([runId, on, ids]) },
    activeRulesVersion: async () => 'v1',
    logger: createLogger('test'),
    now: () => NOW,
  });
  const context = { getRemainingTimeInMillis: () => remainingMs };
  return { handler, runs, fences, queued, context };
}

describe('queueEligibleCustomers handler', () => {
  it("opens the night's run, moves the fence to it and queues every eligible customer", async () => {
    const { handler, runs, fences, queued, context } = setUp(['c-1', 'c-2', 'c-3']);
    const outcome = await handler(undefined, context);
    expect(outcome).toEqual({ runId: 'night-2026-11-30', created: true, queuedNow: 3, queued: 3, done: true });
    expect(fences).toEqual(['night-2026-11-30']);
    expect(queued.flatMap(([, , ids]) => ids)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(runs.get('night-2026-11-30')).toMatchObject({ rulesVersion: 'v1', queueingDone: true, cursor: 'c-3' });
  });

  it('runs a run named by hand, up to the sample size it asks for; the schedule never names one', async () => {
    const { handler, queued, context } = setUp(['c-1', 'c-2', 'c-3']);
    const outcome = await handler({ runId: 'rerun-1', maxCustomers: 2 }, context);
    expect(outcome).toMatchObject({ runId: 'rerun-1', queued: 2, done: true });
    expect(queued.flatMap(([runId, , ids]) => ids.map((id) => `${runId}/${id}`))).toEqual([
      'rerun-1/c-1',
      'rerun-1/c-2',
    ]);
    await expect(handler({ runId: 'not a run id!' }, context)).rejects.toThrow();
  });

  it('stops paging when the invocation runs short of time; the next trigger continues', async () => {
    const { handler, queued, context } = setUp(['c-1', 'c-2'], 1_000);
    const outcome = await handler(undefined, context);
    expect(outcome).toMatchObject({ queuedNow: 0, done: false });
    expect(queued).toEqual([]);
  });
});
