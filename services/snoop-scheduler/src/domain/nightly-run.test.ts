import { customerRulesFor } from './customer-rules';
import { newRun, nightlyRunId, queueNightlyRun, runComplete, type RunRecord, type RunStore } from './nightly-run';

function memoryRuns() {
  const runs = new Map<string, RunRecord>();
  const fences: string[] = [];
  const store: RunStore = {
    async open(run) {
      const existing = runs.get(run.runId);
      if (existing) return { created: false, run: { ...existing } };
      const created = newRun(run);
      runs.set(run.runId, created);
      return { created: true, run: { ...created } };
    },
    async advance(runId, from, to, queued) {
      const run = runs.get(runId)!;
      if (run.cursor !== from) throw new Error('the cursor moved meanwhile');
      run.cursor = to;
      run.queued += queued;
    },
    async finishQueueing(runId, at) {
      Object.assign(runs.get(runId)!, { queueingDone: true, queueingDoneAt: at });
    },
    async moveFence(run) {
      fences.push(run.runId);
    },
  };
  return { store, runs, fences };
}

const CUSTOMERS = Array.from({ length: 23 }, (_, i) => `c-${String(i).padStart(3, '0')}`);
const pager = async (after: string | undefined, limit: number) =>
  CUSTOMERS.filter((c) => after === undefined || c > after).slice(0, limit);
const NOW = new Date('2026-12-01T01:00:00Z');

describe('the customer step of a nightly run', () => {
  it('opens the night’s run once, moves the fence to it and queues every eligible customer in pages', async () => {
    const { store, runs, fences } = memoryRuns();
    const sent: string[][] = [];
    const outcome = await queueNightlyRun({
      runs: store,
      pageEligibleCustomers: pager,
      queue: { send: async (_run, _on, ids) => void sent.push([...ids]) },
      rulesVersion: 'abc',
      now: NOW,
      remainingMs: () => 60_000,
      pageSize: 10,
    });
    expect(outcome).toEqual({ runId: 'night-2026-12-01', created: true, queuedNow: 23, queued: 23, done: true });
    expect(sent.map((page) => page.length)).toEqual([10, 10, 3]);
    expect(sent.flat()).toEqual(CUSTOMERS);
    expect(fences).toEqual(['night-2026-12-01']);
    expect(runs.get('night-2026-12-01')).toMatchObject({ on: '2026-12-01', rulesVersion: 'abc', queueingDone: true });
    // The night's second trigger starts no second run and queues no one again.
    const again = await queueNightlyRun({
      runs: store,
      pageEligibleCustomers: pager,
      queue: { send: async () => void sent.push(['again']) },
      now: new Date('2026-12-01T01:05:00Z'),
      remainingMs: () => 60_000,
    });
    expect(again).toEqual({ runId: 'night-2026-12-01', created: false, queuedNow: 0, queued: 23, done: true });
    expect(sent).toHaveLength(3);
  });

  it('stops when its time runs short and the next trigger continues from the cursor, skipping no one', async () => {
    const { store } = memoryRuns();
    const sent: string[] = [];
    const queue = { send: async (_run: string, _on: string, ids: readonly string[]) => void sent.push(...ids) };
    let budget = 2;
    const first = await queueNightlyRun({
      runs: store,
      pageEligibleCustomers: pager,
      queue,
      now: NOW,
      runId: 'rerun-1',
      remainingMs: () => (budget-- > 0 ? 60_000 : 0),
      pageSize: 5,
    });
    expect(first).toMatchObject({ runId: 'rerun-1', done: false, queuedNow: 10 });
    const second = await queueNightlyRun({
      runs: store,
      pageEligibleCustomers: pager,
      queue,
      now: NOW,
      runId: 'rerun-1',
      remainingMs: () => 60_000,
      pageSize: 5,
    });
    expect(second).toMatchObject({ created: false, done: true, queuedNow: 13, queued: 23 });
    expect(sent).toEqual(CUSTOMERS);
  });

  it('names a night by its UTC day, and calls a run complete when every queued customer is scored or failed', () => {
    expect(nightlyRunId(new Date('2026-12-01T23:59:59Z'))).toBe('night-2026-12-01');
    const run = { queueingDone: true, queued: 10, customersScored: 9, customersFailed: 0 } as RunRecord;
    expect(runComplete(run)).toBe(false);
    expect(runComplete({ ...run, customersFailed: 1 })).toBe(true);
    expect(runComplete({ ...run, customersScored: 10, queueingDone: false })).toBe(false);
  });
});

describe('the rule step', () => {
  it('sends every active snoop for the customer, split in parts with their own deduplication ids', () => {
    const ids = Array.from({ length: 1_100 }, (_, i) => `snoop-${i}`);
    const messages = customerRulesFor({ runId: 'r', customerId: 'c-1', on: '2026-12-01' }, ids);
    expect(messages.map((m) => [m.deduplicationId, m.groupId, m.rules.ruleIds.length])).toEqual([
      ['r:c-1:0', 'c-1', 500],
      ['r:c-1:1', 'c-1', 500],
      ['r:c-1:2', 'c-1', 100],
    ]);
    expect(messages.flatMap((m) => m.rules.ruleIds)).toEqual(ids);
    expect(messages[0]!.rules).toMatchObject({ runId: 'r', customerId: 'c-1', on: '2026-12-01' });
  });
});
