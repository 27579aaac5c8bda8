/**
 * Reading what a filter selects a page at a time. The index narrows by its keys (failure groups, a range of failure
 * times); what it cannot (a reason's words, a body search, chosen ids) is checked letter by letter on the pages read,
 * up to a budget, so that a page is answered in bounded time however deep the DLQ is.
 */
import {
  groupDeadLetters,
  matchesFilter,
  positionOf,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterGroup,
} from './dead-letters';
import type { DeadLetterIndex, GroupCount, IndexQuery } from './ports';

/** Whether a filter names anything a group decides (its key, type, destinations, kind). */
const narrowsByGroup = (filter: DeadLetterFilter): boolean =>
  filter.group !== undefined ||
  filter.messageType !== undefined ||
  filter.destination !== undefined ||
  filter.kind !== undefined;

/** Whether every letter of a group can match the filter's group-level fields (the rest is checked per letter). */
function groupMayMatch(group: GroupCount, filter: DeadLetterFilter): boolean {
  if (filter.group !== undefined && group.key !== filter.group && group.id !== filter.group) return false;
  if (filter.messageType !== undefined && group.messageType !== filter.messageType) return false;
  if (filter.destination !== undefined && !group.destination.split('+').includes(filter.destination.toLowerCase()))
    return false;
  if (filter.kind !== undefined && !(group.kinds[filter.kind] ?? 0)) return false;
  return group.count > 0;
}

/**
 * The index query a filter comes to: the groups it can be answered from (none: it selects nothing) and the failure
 * times it allows. Only letters of those groups and times are read.
 */
export async function indexQueryOf(
  index: DeadLetterIndex,
  dlq: string,
  filter: DeadLetterFilter,
  now: number,
): Promise<IndexQuery> {
  const query: IndexQuery = {
    ...(filter.newerThanMs !== undefined ? { since: new Date(now - filter.newerThanMs).toISOString() } : {}),
    ...(filter.olderThanMs !== undefined ? { until: new Date(now - filter.olderThanMs).toISOString() } : {}),
  };
  if (!narrowsByGroup(filter)) return query;
  const groups = (await index.groups(dlq)).filter((group) => groupMayMatch(group, filter));
  return { ...query, groups: groups.map((group) => group.id) };
}

/** How many letters one page of a selection may read before it answers with what it found (and where to go on). */
export const READ_BUDGET = 5_000;

export interface SelectedPage {
  letters: DeadLetter[];
  /** Where the next page starts; absent when nothing is left. */
  next?: string;
  /** Letters read to find these (at most the budget, plus a page). */
  read: number;
}

/**
 * Up to `limit` letters the filter selects, newest first, from `cursor` on. The reason and search texts match what
 * the caller may see (masked) unless `raw`.
 */
export async function selectPage(
  index: DeadLetterIndex,
  dlq: string,
  filter: DeadLetterFilter,
  options: { limit: number; cursor?: string; raw?: boolean; now: number; bodies?: boolean; budget?: number },
): Promise<SelectedPage> {
  const query = await indexQueryOf(index, dlq, filter, options.now);
  if (query.groups?.length === 0) return { letters: [], read: 0 };
  // A body search needs the bodies; so does showing them.
  const bodies = options.bodies === true || filter.search !== undefined;
  const perLetter = filter.reason !== undefined || filter.search !== undefined || filter.ids !== undefined;
  const budget = options.budget ?? READ_BUDGET;
  const letters: DeadLetter[] = [];
  let after = options.cursor;
  let read = 0;
  for (;;) {
    const pageSize = perLetter ? Math.max(options.limit, 200) : options.limit - letters.length;
    const page = await index.page(dlq, { ...query, ...(after ? { after } : {}) }, pageSize, { bodies });
    read += page.letters.length;
    for (const letter of page.letters) {
      if (!matchesFilter(letter, filter, options.now, { raw: options.raw === true })) continue;
      letters.push(letter);
      if (letters.length === options.limit)
        // Full: the next page starts after this letter, whether or not the index page went on.
        return { letters, read, ...(letter !== page.letters.at(-1) || page.next ? { next: positionOf(letter) } : {}) };
    }
    if (!page.next) return { letters, read };
    after = page.next;
    if (read >= budget) return { letters, read, next: page.next };
  }
}

/** Every letter the filter selects, a page at a time (newest first), without bodies unless asked. */
export async function* everySelected(
  index: DeadLetterIndex,
  dlq: string,
  filter: DeadLetterFilter,
  options: { now: number; raw?: boolean; bodies?: boolean; pageSize?: number },
): AsyncGenerator<DeadLetter[]> {
  const query = await indexQueryOf(index, dlq, filter, options.now);
  if (query.groups?.length === 0) return;
  const bodies = options.bodies === true || filter.search !== undefined;
  let after: string | undefined;
  do {
    const page = await index.page(dlq, { ...query, ...(after ? { after } : {}) }, options.pageSize ?? 500, {
      bodies,
    });
    const selected = page.letters.filter((letter) =>
      matchesFilter(letter, filter, options.now, { raw: options.raw === true }),
    );
    if (selected.length > 0) yield selected;
    after = page.next;
  } while (after);
}

/**
 * The failure groups a filter selects, largest first. A filter the groups' counts answer (none, or only group-level
 * fields) is answered from them, whatever the DLQ holds; one that needs each letter (a time range, a reason's words,
 * a search) reads the letters it selects.
 */
export async function selectGroups(
  index: DeadLetterIndex,
  dlq: string,
  filter: DeadLetterFilter,
  options: { now: number; sampleSize?: number },
): Promise<DeadLetterGroup[]> {
  const perLetter =
    filter.reason !== undefined ||
    filter.search !== undefined ||
    filter.ids !== undefined ||
    filter.olderThanMs !== undefined ||
    filter.newerThanMs !== undefined;
  const sampleSize = options.sampleSize ?? 3;
  if (perLetter) {
    const letters: DeadLetter[] = [];
    for await (const page of everySelected(index, dlq, filter, { now: options.now })) letters.push(...page);
    return groupDeadLetters(letters, sampleSize);
  }
  const counted = (await index.groups(dlq)).filter((group) => groupMayMatch(group, filter));
  const groups = await Promise.all(
    counted.map(async (group): Promise<DeadLetterGroup> => {
      const [span, sample] = await Promise.all([
        index.span(dlq, group.id),
        index.page(dlq, { groups: [group.id] }, sampleSize),
      ]);
      return {
        key: group.key,
        id: group.id,
        dlq,
        reason: group.reason,
        destination: group.destination,
        messageType: group.messageType,
        kinds: Object.keys(group.kinds) as DeadLetterGroup['kinds'],
        count: group.count,
        firstSeen: span.first ?? '',
        lastSeen: span.last ?? '',
        sample: sample.letters.map((letter) => letter.messageId),
      };
    }),
  );
  return groups.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}
