import { letter } from './dead-letters.fixtures';
import type { DeadLetterQueue } from './ports';
import { queueViewOf } from './queue-view';

const DLQ: DeadLetterQueue = {
  name: 'marketing-events-dev-events-dlq',
  fifo: false,
  sources: ['marketing-events-dev-events'],
  depth: 4,
  inFlight: 0,
  retentionSeconds: 1_209_600,
};
const AT = Date.parse('2026-12-07T12:00:00.000Z');
const HOUR = 3_600_000;
/** A dead letter that failed this long before AT. */
const failedBefore = (n: number, ms: number) => letter(n, { failedAt: new Date(AT - ms).toISOString() });

describe('a DLQ as the console lists it', () => {
  it('counts the last hour against the hour before, edges included, and names the oldest', () => {
    const view = queueViewOf(
      DLQ,
      // Out of order on purpose: the oldest is found, not taken first.
      [
        failedBefore(1, HOUR),
        failedBefore(2, 0),
        failedBefore(3, 2 * HOUR),
        failedBefore(4, HOUR + 1),
        failedBefore(5, 3 * HOUR),
      ],
      AT,
    );
    expect(view).toEqual({
      ...DLQ,
      indexed: 5,
      oldestFailedAt: new Date(AT - 3 * HOUR).toISOString(),
      oldestAgeMs: 3 * HOUR,
      // Exactly an hour ago is the last hour; an hour and a millisecond, and exactly two hours, the hour before.
      lastHour: 2,
      hourBefore: 2,
      trend: 'steady',
    });
  });

  it('says rising when the last hour has more, falling when it has fewer', () => {
    expect(queueViewOf(DLQ, [failedBefore(1, 10), failedBefore(2, 20), failedBefore(3, HOUR + 10)], AT)).toMatchObject({
      lastHour: 2,
      hourBefore: 1,
      trend: 'rising',
    });
    expect(
      queueViewOf(DLQ, [failedBefore(1, 10), failedBefore(2, HOUR + 20), failedBefore(3, HOUR + 30)], AT),
    ).toMatchObject({
      lastHour: 1,
      hourBefore: 2,
      trend: 'falling',
    });
  });

  it('has no oldest when it holds nothing, and is steady', () => {
    expect(queueViewOf(DLQ, [], AT)).toEqual({ ...DLQ, indexed: 0, lastHour: 0, hourBefore: 0, trend: 'steady' });
  });
});
