/** A DLQ as the console lists it: what its index holds, how old the oldest is, and which way it is going. */
import type { DeadLetterQueue } from './ports';

const HOUR_MS = 3_600_000;
/** How far back the trend looks: the last hour and the hour before. */
export const TREND_WINDOW_MS = 2 * HOUR_MS;

export interface DeadLetterQueueView extends DeadLetterQueue {
  indexed: number;
  /** The oldest dead letter's failure time, and how long ago that was. */
  oldestFailedAt?: string;
  oldestAgeMs?: number;
  /** Dead letters of the last hour against the hour before (counted per ten minutes of failure time). */
  lastHour: number;
  hourBefore: number;
  trend: 'rising' | 'falling' | 'steady';
}

/** What the index counts of a DLQ: its letters, the oldest's failure time, letters per ten minutes lately. */
export interface IndexedCounts {
  indexed: number;
  oldestFailedAt?: string;
  /** [start of ten minutes (ISO, to the minute), letters that failed in them]. */
  activity: readonly (readonly [string, number])[];
}

/**
 * A DLQ as listed: its dead letters' count, the oldest one's age, and the last hour against the hour before. The
 * hours are counted in whole ten minutes: "the last hour" is the six ten-minute spans up to now (the current one
 * partly).
 */
export function queueViewOf(dlq: DeadLetterQueue, counts: IndexedCounts, at: number): DeadLetterQueueView {
  const current = Math.floor(at / 600_000) * 600_000;
  let lastHour = 0;
  let hourBefore = 0;
  for (const [start, n] of counts.activity) {
    const spansAgo = Math.round((current - Date.parse(`${start}:00.000Z`)) / 600_000);
    if (spansAgo >= 0 && spansAgo < 6) lastHour += n;
    else if (spansAgo >= 6 && spansAgo < 12) hourBefore += n;
  }
  const oldest = counts.oldestFailedAt === undefined ? undefined : Date.parse(counts.oldestFailedAt);
  return {
    ...dlq,
    indexed: counts.indexed,
    ...(oldest !== undefined ? { oldestFailedAt: counts.oldestFailedAt, oldestAgeMs: at - oldest } : {}),
    lastHour,
    hourBefore,
    trend: lastHour > hourBefore ? 'rising' : lastHour < hourBefore ? 'falling' : 'steady',
  };
}
