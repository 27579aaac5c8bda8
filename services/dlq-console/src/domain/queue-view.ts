/** A DLQ as the console lists it: what its index holds, how old the oldest is, and which way it is going. */
import type { DeadLetter } from './dead-letters';
import type { DeadLetterQueue } from './ports';

const HOUR_MS = 3_600_000;

export interface DeadLetterQueueView extends DeadLetterQueue {
  indexed: number;
  /** The oldest dead letter's failure time, and how long ago that was. */
  oldestFailedAt?: string;
  oldestAgeMs?: number;
  /** Dead letters of the last hour against the hour before. */
  lastHour: number;
  hourBefore: number;
  trend: 'rising' | 'falling' | 'steady';
}

/** A DLQ as listed: its dead letters' count, the oldest one's age, and the last hour against the hour before. */
export function queueViewOf(dlq: DeadLetterQueue, letters: readonly DeadLetter[], at: number): DeadLetterQueueView {
  const times = letters.map((l) => Date.parse(l.failedAt)).sort((a, b) => a - b);
  const lastHour = times.filter((t) => at - t <= HOUR_MS).length;
  const hourBefore = times.filter((t) => at - t > HOUR_MS && at - t <= 2 * HOUR_MS).length;
  return {
    ...dlq,
    indexed: letters.length,
    ...(times.length > 0 ? { oldestFailedAt: new Date(times[0]!).toISOString(), oldestAgeMs: at - times[0]! } : {}),
    lastHour,
    hourBefore,
    trend: lastHour > hourBefore ? 'rising' : lastHour < hourBefore ? 'falling' : 'steady',
  };
}
