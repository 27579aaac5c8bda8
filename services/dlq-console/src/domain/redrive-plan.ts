/**
 * What a redrive (or a purge) would move, planned from the index: nothing is received or sent. On a FIFO DLQ a chosen
 * message takes the earlier ones of its group with it, which the plan names.
 */
import { describeFilter, type DeadLetter, type DeadLetterFilter } from './dead-letters';
import { everySelected } from './selection';
import type { DeadLetterIndex, DeadLetterQueue } from './ports';

export interface RedrivePlan {
  dlq: DeadLetterQueue;
  filter: DeadLetterFilter;
  /** What the filter selected, in the order they will move (FIFO: by group, oldest first). */
  selected: DeadLetter[];
  /**
   * FIFO only: messages the filter did not name but that sit before a named one in its group, moved (or purged) with
   * it: a FIFO queue hands out a group's messages in order only. Their ids, so that a person sees which.
   */
  addedForOrder: number;
  addedForOrderIds: string[];
  /** Counts by source queue, by message type and by reason group. */
  bySource: Record<string, number>;
  byType: Record<string, number>;
  sample: DeadLetter[];
  /** What will move, in words: what the operator confirms. */
  summary: string;
}

/** What a redrive will move: nothing is received or sent. */
export async function planRedrive(
  index: DeadLetterIndex,
  dlq: DeadLetterQueue,
  filter: DeadLetterFilter,
  now: number = Date.now(),
): Promise<RedrivePlan> {
  // Without bodies (a plan of 100,000 holds their summaries only): what moves is received from the DLQ itself.
  let selected: DeadLetter[] = [];
  for await (const page of everySelected(index, dlq.name, filter, { now })) selected.push(...page);
  let addedForOrderIds: string[] = [];
  if (dlq.fifo) {
    // FIFO DLQs hold a few groups' messages in order; every letter is read to find a chosen one's earlier ones.
    const all: DeadLetter[] = [];
    for await (const page of everySelected(index, dlq.name, {}, { now })) all.push(...page);
    // A group's messages move in order: a chosen one takes every earlier one of its group with it.
    const latest = new Map<string, string>();
    for (const letter of selected)
      if (letter.groupId && letter.failedAt > (latest.get(letter.groupId) ?? ''))
        latest.set(letter.groupId, letter.failedAt);
    const chosen = new Set(selected.map((l) => l.messageId));
    const withEarlier = all.filter(
      (l) => chosen.has(l.messageId) || (l.groupId !== undefined && l.failedAt <= (latest.get(l.groupId) ?? '')),
    );
    addedForOrderIds = withEarlier.filter((l) => !chosen.has(l.messageId)).map((l) => l.messageId);
    selected = withEarlier;
  }
  const addedForOrder = addedForOrderIds.length;
  selected.sort((a, b) => (a.groupId ?? '').localeCompare(b.groupId ?? '') || a.failedAt.localeCompare(b.failedAt));
  const count = (key: (l: DeadLetter) => string) =>
    selected.reduce<Record<string, number>>((out, l) => ({ ...out, [key(l)]: (out[key(l)] ?? 0) + 1 }), {});
  const bySource = count((l) => l.sourceQueue);
  const summary =
    `${selected.length} message${selected.length === 1 ? '' : 's'} of ${dlq.name} (${describeFilter(filter)}` +
    `${addedForOrder > 0 ? `, and ${addedForOrder} earlier in their FIFO groups` : ''}) back to ` +
    Object.entries(bySource)
      .map(([queue, n]) => `${queue} (${n})`)
      .join(', ');
  return {
    dlq,
    filter,
    selected,
    addedForOrder,
    addedForOrderIds,
    bySource,
    byType: count((l) => l.messageType ?? '(no type)'),
    sample: selected.slice(0, 5),
    summary: selected.length > 0 ? summary : `nothing in ${dlq.name} matches ${describeFilter(filter)}`,
  };
}

/** Time for the consumer to run and the index to hear of a failure, beyond the retries' own waits. */
const CANARY_MARGIN_SECONDS = 30;
/** The longest a canary is watched (the redrive job's contract allows no more). */
export const MAX_CANARY_WATCH_SECONDS = 600;

/**
 * How long to watch a redrive's canary: long enough for a message that fails again on every delivery to come back
 * through its source's retries (the DLQ's retry window), and the margin; at most ten minutes.
 */
export const canaryWatchSecondsFor = (dlq: Pick<DeadLetterQueue, 'retryWindowSeconds'>): number =>
  Math.min(MAX_CANARY_WATCH_SECONDS, dlq.retryWindowSeconds + CANARY_MARGIN_SECONDS);
