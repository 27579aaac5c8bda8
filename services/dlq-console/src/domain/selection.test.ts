import { letter, memoryIndex } from './dead-letters.fixtures';
import type { DeadLetter } from './dead-letters';
import { indexQueryOf, selectGroups, selectPage } from './selection';

const NOW = Date.UTC(2026, 11, 1);
const DLQ = 'marketing-events-local-events-dlq';
/** n letters of the marketing DLQ, one a second from 12:00 on 30 November; every tenth a GA4 one of another type. */
const letters = (n: number): DeadLetter[] =>
  Array.from({ length: n }, (_, i) =>
    letter(i, {
      failedAt: new Date(Date.UTC(2026, 10, 30, 12) + i * 1000).toISOString(),
      ...(i % 10 === 0 ? { messageType: 'RegistrationCompleted' } : {}),
    }),
  );
const indexOf = (all: DeadLetter[]) => memoryIndex(new Map(all.map((l) => [l.messageId, l])));

describe('reading what a filter selects a page at a time', () => {
  it('narrows by the groups a filter names and the failure times it allows, and selects nothing when no group can match', async () => {
    const index = indexOf(letters(20));
    const groups = await index.groups(DLQ);
    const registration = groups.find((g) => g.messageType === 'RegistrationCompleted')!;
    expect(await indexQueryOf(index, DLQ, { messageType: 'RegistrationCompleted', olderThanMs: 60_000 }, NOW)).toEqual({
      groups: [registration.id],
      until: new Date(NOW - 60_000).toISOString(),
    });
    expect(await indexQueryOf(index, DLQ, { newerThanMs: 3_600_000 }, NOW)).toEqual({
      since: new Date(NOW - 3_600_000).toISOString(),
    });
    expect(await indexQueryOf(index, DLQ, { destination: 'ga4' }, NOW)).toEqual({ groups: [] });
    expect(await selectPage(index, DLQ, { destination: 'ga4' }, { limit: 10, now: NOW })).toEqual({
      letters: [],
      read: 0,
    });
  });

  it('pages newest first and goes on exactly where the last page ended, the last page saying nothing is left', async () => {
    const index = indexOf(letters(25));
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await selectPage(index, DLQ, {}, { limit: 10, now: NOW, ...(cursor ? { cursor } : {}) });
      ids.push(...page.letters.map((l) => l.messageId));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => `m-${24 - i}`));
  });

  it('answers within its read budget with where to go on, when few letters match a search', async () => {
    const index = indexOf(letters(1_000));
    const page = await selectPage(index, DLQ, { search: '"e-5"' }, { limit: 5, now: NOW, raw: true, budget: 300 });
    // Pages of 200: the budget is passed after the second.
    expect(page).toMatchObject({ letters: [], read: 400 });
    expect(page.next).toBeDefined();
    const rest = await selectPage(
      index,
      DLQ,
      { search: '"e-5"' },
      { limit: 5, now: NOW, raw: true, cursor: page.next! },
    );
    expect(rest.letters.map((l) => l.messageId)).toEqual(['m-5']);
    expect(rest.next).toBeUndefined();
  });

  it('groups from the counts when the filter is about groups, and from the letters when it is about each letter', async () => {
    const index = indexOf(letters(30));
    const byCounts = await selectGroups(index, DLQ, {}, { now: NOW });
    expect(byCounts.map((g) => [g.messageType, g.count])).toEqual([
      ['LoanApproved', 27],
      ['RegistrationCompleted', 3],
    ]);
    expect(byCounts[1]).toMatchObject({
      firstSeen: letters(30)[0]!.failedAt,
      lastSeen: letters(30)[20]!.failedAt,
      sample: ['m-20', 'm-10', 'm-0'],
    });
    // The last 15 seconds before 12:00:30: letters 15 to 29.
    const recent = await selectGroups(index, DLQ, { newerThanMs: 15_500 }, { now: Date.UTC(2026, 10, 30, 12, 0, 30) });
    expect(recent.map((g) => [g.messageType, g.count])).toEqual([
      ['LoanApproved', 14],
      ['RegistrationCompleted', 1],
    ]);
  });
});
