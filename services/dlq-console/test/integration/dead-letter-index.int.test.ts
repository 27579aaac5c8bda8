/**
 * The index of dead letters against DynamoDB Local, through the store the console opens: pages newest first (within
 * the DLQ, within failure groups merged, by failure time), the groups' counts kept exact through a letter indexed
 * twice, replaced into another group and removed twice, the ten-minute activity, bodies kept apart. Each test on a
 * DLQ name of its own, so nothing another test indexed is read.
 */
import { randomUUID } from 'node:crypto';
import { localConsoleEnvironment, openConsoleStores } from '../../local';
import { groupIdOf, groupKeyOf, type DeadLetter } from '../../src/domain/dead-letters';
import { selectGroups, selectPage } from '../../src/domain/selection';

const { index } = openConsoleStores(localConsoleEnvironment());

/** A dead letter of `dlq`, failed `second` seconds after 10:00 on a fixed day, at meta or ga4. */
function deadLetter(
  dlq: string,
  n: number,
  options: { second?: number; at?: 'meta' | 'ga4'; kind?: DeadLetter['kind'] } = {},
): DeadLetter {
  const destination = options.at ?? 'meta';
  const message = `${destination} answered 400: invalid value for ref ${String(n).padStart(8, '0')}`;
  return {
    dlq,
    messageId: `m-${String(n).padStart(4, '0')}`,
    sourceQueue: 'marketing-events-local-events',
    kind: options.kind ?? 'permanent',
    reason: message,
    destinations: [{ destination, code: '400', message }],
    failedAt: new Date(Date.UTC(2026, 11, 8, 10, 0, options.second ?? n)).toISOString(),
    receiveCount: 1,
    originalMessageId: `o-${n}`,
    messageType: 'LoanApproved',
    messageVersion: 1,
    body: JSON.stringify({ id: `e-${n}`, padding: 'x'.repeat(2_000) }),
    attributes: {},
    indexedBy: 'consumer',
  };
}

const newDlq = () => `index-test-${randomUUID().slice(0, 8)}-dlq`;
const groupOf = (letter: DeadLetter) => groupIdOf(groupKeyOf(letter));

it('pages a DLQ newest first, without bodies unless asked, and goes on from where a page ended', async () => {
  const dlq = newDlq();
  const letters = Array.from({ length: 25 }, (_, n) => deadLetter(dlq, n, { at: n % 2 === 0 ? 'meta' : 'ga4' }));
  await index.put(letters);
  const newestFirst = [...letters].reverse().map((l) => l.messageId);

  const first = await index.page(dlq, {}, 10);
  expect(first.letters.map((l) => l.messageId)).toEqual(newestFirst.slice(0, 10));
  expect(first.letters.every((l) => l.body === undefined)).toBe(true);
  const second = await index.page(dlq, { after: first.next! }, 10, { bodies: true });
  expect(second.letters.map((l) => l.messageId)).toEqual(newestFirst.slice(10, 20));
  expect(second.letters[0]!.body).toBe(letters[14]!.body);
  const third = await index.page(dlq, { after: second.next! }, 10);
  expect(third.letters.map((l) => l.messageId)).toEqual(newestFirst.slice(20));
  expect(third.next).toBeUndefined();

  // Two groups merged (meta's and ga4's), and a range of failure times (seconds 5 to 14).
  const both = [groupOf(letters[0]!), groupOf(letters[1]!)];
  const merged = await index.page(
    dlq,
    { groups: both, since: letters[5]!.failedAt, until: letters[14]!.failedAt },
    100,
  );
  expect(merged.letters.map((l) => l.messageId)).toEqual(newestFirst.slice(10, 20));
  const metaOnly = await index.page(dlq, { groups: [both[0]!] }, 100);
  expect(metaOnly.letters).toHaveLength(13);
  expect(await index.span(dlq, both[1])).toEqual({ first: letters[1]!.failedAt, last: letters[23]!.failedAt });
});

it('counts each group exactly: a letter indexed twice once, one replaced into another group moved, one removed twice once', async () => {
  const dlq = newDlq();
  const letters = Array.from({ length: 30 }, (_, n) =>
    deadLetter(dlq, n, { at: n < 20 ? 'meta' : 'ga4', kind: n % 3 === 0 ? 'retries-exhausted' : 'permanent' }),
  );
  await index.put(letters);
  // The consumer's notice and the sweeper both index the first ten: counted once.
  await index.put(letters.slice(0, 10));
  const count = async () =>
    Object.fromEntries((await index.groups(dlq)).map((g) => [g.destination, { count: g.count, kinds: g.kinds }]));
  expect(await count()).toEqual({
    meta: { count: 20, kinds: { 'retries-exhausted': 7, permanent: 13 } },
    ga4: { count: 10, kinds: { 'retries-exhausted': 3, permanent: 7 } },
  });

  // Letter 0 indexed again with what the consumer knows better: it failed at ga4. It moves group.
  await index.put([deadLetter(dlq, 0, { at: 'ga4', kind: 'retries-exhausted' })]);
  expect(await count()).toEqual({
    meta: { count: 19, kinds: { 'retries-exhausted': 6, permanent: 13 } },
    ga4: { count: 11, kinds: { 'retries-exhausted': 4, permanent: 7 } },
  });
  expect((await index.get(dlq, letters[0]!.messageId))?.destinations[0]?.destination).toBe('ga4');

  // Removed, then removed again (a redrive and a purge racing): counted down once; the bodies go with them.
  const gone = letters.slice(1, 6).map((l) => l.messageId);
  await Promise.all([index.remove(dlq, gone), index.remove(dlq, gone)]);
  await index.remove(dlq, gone);
  expect((await count())['meta']!.count).toBe(14);
  expect(await index.has(dlq, [...gone, letters[7]!.messageId])).toEqual(new Set([letters[7]!.messageId]));
  expect(await index.bodies(dlq, gone)).toEqual(new Map());
  expect(await index.get(dlq, gone[0]!)).toBeUndefined();

  // The counts per ten minutes of failure time (every letter here failed between 10:00:00 and 10:00:29).
  expect(await index.activity(dlq, '2026-12-08T09:50:00.000Z')).toEqual([['2026-12-08T10:00', 25]]);
});

it('keeps counting exactly when indexers write the same letters at once', async () => {
  const dlq = newDlq();
  const letters = Array.from({ length: 60 }, (_, n) => deadLetter(dlq, n));
  // Four writers, overlapping: each letter is written by two of them.
  await Promise.all([0, 15, 30, 45].map((from) => index.put(letters.slice(from, from + 30))));
  await index.put(letters.slice(0, 15));
  const [group] = await index.groups(dlq);
  expect(group!.count).toBe(60);
});

it('answers a filter a page at a time: groups by their counts, a search by reading the bodies', async () => {
  const dlq = newDlq();
  const letters = Array.from({ length: 40 }, (_, n) => deadLetter(dlq, n, { at: n % 4 === 0 ? 'ga4' : 'meta' }));
  await index.put(letters);
  const now = Date.parse('2026-12-08T12:00:00.000Z');

  const groups = await selectGroups(index, dlq, {}, { now });
  expect(groups.map((g) => [g.destination, g.count, g.firstSeen, g.lastSeen])).toEqual([
    ['meta', 30, letters[1]!.failedAt, letters[39]!.failedAt],
    ['ga4', 10, letters[0]!.failedAt, letters[36]!.failedAt],
  ]);
  expect(groups[1]!.sample).toEqual(['m-0036', 'm-0032', 'm-0028']);

  const ga4 = await selectPage(index, dlq, { destination: 'ga4' }, { limit: 4, now });
  expect(ga4.letters.map((l) => l.messageId)).toEqual(['m-0036', 'm-0032', 'm-0028', 'm-0024']);
  const more = await selectPage(index, dlq, { destination: 'ga4' }, { limit: 4, now, cursor: ga4.next! });
  expect(more.letters.map((l) => l.messageId)).toEqual(['m-0020', 'm-0016', 'm-0012', 'm-0008']);

  // A search reads bodies, a page at a time.
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await selectPage(
      index,
      dlq,
      { search: '"e-3' },
      { limit: 3, now, raw: true, ...(cursor ? { cursor } : {}) },
    );
    all.push(...page.letters.map((l) => l.messageId));
    cursor = page.next;
  } while (cursor);
  expect(all).toEqual([
    'm-0039',
    'm-0038',
    'm-0037',
    'm-0036',
    'm-0035',
    'm-0034',
    'm-0033',
    'm-0032',
    'm-0031',
    'm-0030',
    'm-0003',
  ]);
});
