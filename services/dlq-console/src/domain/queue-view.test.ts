import type { DeadLetterQueue } from './ports';
import { queueViewOf } from './queue-view';

const DLQ: DeadLetterQueue = {
  name: 'marketing-events-dev-events-dlq',
  fifo: false,
  sources: ['marketing-events-dev-events'],
  depth: 4,
  inFlight: 0,
  retentionSeconds: 1_209_600,
  retryWindowSeconds: 30,
};
/** Five minutes into a ten-minute span: the current span counts as part of the last hour. */
const AT = Date.parse('2026-12-07T12:05:00.000Z');

describe('a DLQ as the console lists it', () => {
  it('counts the last hour (six ten-minute spans, the current one included) against the hour before, and names the oldest', () => {
    const view = queueViewOf(
      DLQ,
      {
        indexed: 9,
        oldestFailedAt: '2026-12-07T09:00:00.000Z',
        activity: [
          ['2026-12-07T12:00', 1], // the current span
          ['2026-12-07T11:10', 2], // the last of the last hour's six
          ['2026-12-07T11:00', 3], // the first of the hour before
          ['2026-12-07T10:10', 1], // the last of the hour before
          ['2026-12-07T10:00', 2], // older than both: not counted
        ],
      },
      AT,
    );
    expect(view).toEqual({
      ...DLQ,
      indexed: 9,
      oldestFailedAt: '2026-12-07T09:00:00.000Z',
      oldestAgeMs: 3 * 3_600_000 + 5 * 60_000,
      lastHour: 3,
      hourBefore: 4,
      trend: 'falling',
    });
  });

  it('says rising when the last hour has more, steady when both have as many', () => {
    const activity = (last: number, before: number) =>
      [
        ['2026-12-07T11:50', last],
        ['2026-12-07T10:50', before],
      ] as const;
    expect(queueViewOf(DLQ, { indexed: 3, activity: activity(2, 1) }, AT)).toMatchObject({
      lastHour: 2,
      hourBefore: 1,
      trend: 'rising',
    });
    expect(queueViewOf(DLQ, { indexed: 4, activity: activity(2, 2) }, AT).trend).toBe('steady');
  });

  it('has no oldest when it holds nothing, and is steady', () => {
    expect(queueViewOf(DLQ, { indexed: 0, activity: [] }, AT)).toEqual({
      ...DLQ,
      indexed: 0,
      lastHour: 0,
      hourBefore: 0,
      trend: 'steady',
    });
  });
});
