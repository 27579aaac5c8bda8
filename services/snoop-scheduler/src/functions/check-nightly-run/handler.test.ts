import type { RunRecord } from '../../domain/nightly-run';
import { createCheckNightlyRunHandler } from './handler';

const run = (overrides: Partial<RunRecord>): RunRecord => ({
  runId: 'night-2026-12-07',
  on: '2026-12-07',
  startedAt: '2026-12-07T01:00:00.000Z',
  queued: 1_000,
  queueingDone: true,
  customersScored: 990,
  customersFailed: 10,
  evaluations: 56_000,
  ...overrides,
});

function check(stored: RunRecord | undefined) {
  const metrics: [string, number][] = [];
  const logged: [string, string][] = [];
  const asked: string[] = [];
  const handler = createCheckNightlyRunHandler({
    readRun: async (runId) => (asked.push(runId), stored),
    metrics: {
      addMetric: (name: string, _unit: unknown, value: number) => void metrics.push([name, value]),
      publishStoredMetrics: () => undefined,
    } as never,
    logger: {
      info: (message: string) => void logged.push(['info', message]),
      error: (message: string) => void logged.push(['error', message]),
    },
    now: () => new Date('2026-12-07T06:30:00Z'),
  });
  return { handler, metrics, logged, asked };
}

describe('checkNightlyRun', () => {
  it('says 0 for a complete night, and reads tonight’s run', async () => {
    const { handler, metrics, logged, asked } = check(run({}));
    expect(await handler()).toMatchObject({
      complete: true,
      reason: '990 customers scored, 10 failed, 56000 evaluations',
    });
    expect(metrics).toEqual([['NightlyRunIncomplete', 0]]);
    expect(logged[0]![0]).toBe('info');
    expect(asked).toEqual(['night-2026-12-07']);
  });

  it.each([
    [undefined, 'no run was opened tonight (is the schedule enabled?)'],
    [run({ queueingDone: false, queued: 400 }), 'queueing stopped at 400 customers (the customer step)'],
    [run({ customersScored: 700 }), '290 of 1000 customers not scored yet'],
  ])('says 1, and what is missing, for a night that is not done', async (stored, reason) => {
    const { handler, metrics, logged } = check(stored);
    expect(await handler()).toEqual({ complete: false, runId: 'night-2026-12-07', reason });
    expect(metrics).toEqual([['NightlyRunIncomplete', 1]]);
    expect(logged[0]![0]).toBe('error');
  });
});
