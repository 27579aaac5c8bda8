/**
 * The index of dead letters in DynamoDB, laid out so that every read is a page, whatever a DLQ holds:
 *
 *   letter    pk Q#<dlq>       sk <message id>    at <failedAt>#<message id>, grp G#<dlq>#<group id>, the rest
 *   body      pk B#<dlq>       sk <message id>    body (apart: a page of letters never reads 50 KB bodies it skips)
 *   group     pk GROUPS#<dlq>  sk <group id>      what the group is, n (its letters), k_<kind> (per failure kind)
 *   activity  pk TREND#<dlq>   sk <ten minutes>   n (letters that failed in those ten minutes)
 *
 * Index `by-time` (pk, at) lists a DLQ newest first and by time range; index `by-group` (grp, at) does the same within
 * one failure group. A letter, its group's counts and its ten minutes' count change in one transaction, so the counts
 * are what the index holds: a letter indexed twice (the consumer's notice and the sweeper) is counted once, a removal
 * of one already removed not at all.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FAILURE_KINDS } from '@backbone/shared';
import type { DeadLetter } from '../domain/dead-letters';
import type { DeadLetterIndex, GroupCount, IndexQuery } from '../domain/ports';
import {
  atOf,
  bodyKey,
  countChange,
  countUpdates,
  groupPk,
  grpOf,
  INDEX_KEEP_MS,
  inTransactions,
  kindAttribute,
  letterFrom,
  letterItem,
  letterKey,
  tenMinutesOf,
  trendPk,
  type TransactItem,
} from './dead-letter-index-items';
import { batchGet, batchWrite, failedConditions, transact } from './dynamodb-bulk';

export const BY_TIME = 'by-time';
export const BY_GROUP = 'by-group';

export function createDynamoDbDeadLetterIndex(documents: DynamoDBDocumentClient, table: string): DeadLetterIndex {
  /** Up to `limit` letters of one index partition, newest first, strictly older than `after`. */
  async function newest(
    indexName: string,
    partition: { name: 'pk' | 'grp'; value: string },
    query: IndexQuery,
    limit: number,
  ): Promise<Record<string, unknown>[]> {
    const upper = [query.until !== undefined ? `${query.until}#\uffff` : undefined, query.after]
      .filter((bound): bound is string => bound !== undefined)
      .sort()[0];
    const lower = query.since;
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const condition =
        lower !== undefined && upper !== undefined
          ? '#p = :p AND #at BETWEEN :lower AND :upper'
          : upper !== undefined
            ? '#p = :p AND #at <= :upper'
            : lower !== undefined
              ? '#p = :p AND #at >= :lower'
              : '#p = :p';
      const page = await documents.send(
        new QueryCommand({
          TableName: table,
          IndexName: indexName,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: { '#p': partition.name, ...((lower ?? upper) ? { '#at': 'at' } : {}) },
          ExpressionAttributeValues: {
            ':p': partition.value,
            ...(lower !== undefined ? { ':lower': lower } : {}),
            ...(upper !== undefined ? { ':upper': upper } : {}),
          },
          ScanIndexForward: false,
          Limit: limit + 1,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      // `after` is the last letter of the page before: a bound given inclusive, so it is skipped here.
      items.push(...(page.Items ?? []).filter((item) => item['at'] !== query.after));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < limit);
    return items.slice(0, limit);
  }

  async function bodies(dlq: string, messageIds: readonly string[]): Promise<Map<string, string>> {
    const items = await batchGet(
      documents,
      table,
      [...new Set(messageIds)].map((id) => bodyKey(dlq, id)),
    );
    return new Map(items.map((item) => [item['sk'] as string, item['body'] as string]));
  }

  /** Puts letters none of which is indexed yet (their condition), with the counts; the indexed ones are returned. */
  async function putNew(dlq: string, letters: DeadLetter[]): Promise<DeadLetter[]> {
    const items: TransactItem[] = [
      ...letters.map((letter): TransactItem => ({
        Put: { TableName: table, Item: letterItem(letter), ConditionExpression: 'attribute_not_exists(pk)' },
      })),
      ...countUpdates(table, dlq, countChange(letters, 1)),
    ];
    try {
      await transact(documents, items);
      return [];
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed) throw error;
      const indexed = letters.filter((_, i) => failed.has(i));
      const fresh = letters.filter((_, i) => !failed.has(i));
      return [...indexed, ...(fresh.length > 0 ? await putNew(dlq, fresh) : [])];
    }
  }

  /** Replaces letters already indexed: the counts move only for one whose group or kind or time changed. */
  async function replace(dlq: string, letters: DeadLetter[]): Promise<void> {
    const stored = new Map(
      (
        await batchGet(
          documents,
          table,
          letters.map((l) => letterKey(dlq, l.messageId)),
        )
      ).map((item) => [item['sk'] as string, letterFrom(item)]),
    );
    for (const letter of letters) {
      const before = stored.get(letter.messageId);
      if (!before) {
        // Removed meanwhile: indexed anew.
        await put([letter]);
        continue;
      }
      const item = letterItem(letter);
      const same =
        letterItem(before)['grp'] === item['grp'] &&
        before.kind === letter.kind &&
        tenMinutesOf(before.failedAt) === tenMinutesOf(letter.failedAt);
      const counts = same ? [] : countUpdates(table, dlq, countChange([letter], 1, countChange([before], -1)));
      await transact(documents, [
        {
          Put: {
            TableName: table,
            Item: item,
            // Only over the letter it read: a concurrent change is read again (by the caller's retry).
            ConditionExpression: 'attribute_exists(pk) AND #at = :at AND grp = :grp',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':at': atOf(before), ':grp': letterItem(before)['grp'] },
          },
        },
        ...counts,
      ]);
    }
  }

  async function put(letters: readonly DeadLetter[]): Promise<void> {
    // Bodies first (idempotent): a letter is never indexed with its body still to come.
    await batchWrite(
      documents,
      table,
      letters
        .filter((l) => l.body !== undefined)
        .map((l) => ({
          PutRequest: {
            Item: {
              ...bodyKey(l.dlq, l.messageId),
              body: l.body,
              expiresAt: Math.floor((Date.parse(l.failedAt) + INDEX_KEEP_MS) / 1000),
            },
          },
        })),
    );
    const byDlq = new Map<string, Map<string, DeadLetter>>();
    // The last of a message id wins, as with plain puts.
    for (const letter of letters)
      byDlq.set(letter.dlq, (byDlq.get(letter.dlq) ?? new Map<string, DeadLetter>()).set(letter.messageId, letter));
    for (const [dlq, unique] of byDlq)
      for (const run of inTransactions([...unique.values()])) {
        const indexed = await putNew(dlq, run);
        if (indexed.length > 0) await replace(dlq, indexed);
      }
  }

  return {
    async get(dlq, messageId) {
      const [{ Item }, body] = await Promise.all([
        documents.send(new GetCommand({ TableName: table, Key: letterKey(dlq, messageId), ConsistentRead: true })),
        bodies(dlq, [messageId]),
      ]);
      if (!Item) return undefined;
      const letter = letterFrom(Item);
      const text = body.get(messageId);
      return text === undefined ? letter : { ...letter, body: text };
    },

    async has(dlq, messageIds) {
      const items = await batchGet(
        documents,
        table,
        [...new Set(messageIds)].map((id) => letterKey(dlq, id)),
        'sk',
      );
      return new Set(items.map((item) => item['sk'] as string));
    },

    async page(dlq, query, limit, options = {}) {
      let items: Record<string, unknown>[];
      if (query.groups === undefined) {
        items = await newest(BY_TIME, { name: 'pk', value: `Q#${dlq}` }, query, limit);
      } else {
        // Each group's newest, merged: the page is the newest `limit` of them all.
        const perGroup = await Promise.all(
          query.groups.map((id) => newest(BY_GROUP, { name: 'grp', value: grpOf(dlq, id) }, query, limit)),
        );
        items = perGroup
          .flat()
          .sort((a, b) => String(b['at']).localeCompare(String(a['at'])))
          .slice(0, limit);
      }
      let letters = items.map(letterFrom);
      if (options.bodies && letters.length > 0) {
        const found = await bodies(
          dlq,
          letters.map((l) => l.messageId),
        );
        letters = letters.map((l) => (found.has(l.messageId) ? { ...l, body: found.get(l.messageId)! } : l));
      }
      const last = items[items.length - 1];
      return {
        letters,
        ...(items.length === limit && last ? { next: String(last['at']) } : {}),
      };
    },

    async groups(dlq) {
      const groups: GroupCount[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': groupPk(dlq) },
            ConsistentRead: true,
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
        for (const item of page.Items ?? [])
          groups.push({
            id: item['sk'] as string,
            key: item['key'] as string,
            reason: item['reason'] as string,
            destination: item['destination'] as string,
            messageType: item['messageType'] as string,
            count: Number(item['n'] ?? 0),
            kinds: Object.fromEntries(
              FAILURE_KINDS.flatMap((kind) => {
                const n = Number(item[kindAttribute(kind)] ?? 0);
                return n > 0 ? [[kind, n]] : [];
              }),
            ),
          });
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return groups;
    },

    async span(dlq, group) {
      const partition = group
        ? { index: BY_GROUP, name: 'grp', value: grpOf(dlq, group) }
        : { index: BY_TIME, name: 'pk', value: `Q#${dlq}` };
      const end = async (forward: boolean) => {
        const { Items } = await documents.send(
          new QueryCommand({
            TableName: table,
            IndexName: partition.index,
            KeyConditionExpression: '#p = :p',
            ExpressionAttributeNames: { '#p': partition.name },
            ExpressionAttributeValues: { ':p': partition.value },
            ScanIndexForward: forward,
            Limit: 1,
            ProjectionExpression: 'failedAt',
          }),
        );
        return Items?.[0]?.['failedAt'] as string | undefined;
      };
      const [first, last] = await Promise.all([end(true), end(false)]);
      return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
    },

    async activity(dlq, since) {
      const { Items } = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': trendPk(dlq), ':since': tenMinutesOf(since) },
          ConsistentRead: true,
        }),
      );
      return (Items ?? []).map((item) => [item['sk'] as string, Number(item['n'] ?? 0)]);
    },

    bodies,

    put,

    remove,
  };

  async function remove(dlq: string, messageIds: readonly string[]): Promise<void> {
    const ids = [...new Set(messageIds)];
    const stored = (
      await batchGet(
        documents,
        table,
        ids.map((id) => letterKey(dlq, id)),
      )
    ).map(letterFrom);
    for (const run of inTransactions(stored)) {
      try {
        await transact(documents, [
          ...run.map((letter): TransactItem => ({
            Delete: {
              TableName: table,
              Key: letterKey(dlq, letter.messageId),
              // Only the letter read: removed or replaced meanwhile, it is read again below.
              ConditionExpression: '#at = :at AND grp = :grp',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: { ':at': atOf(letter), ':grp': letterItem(letter)['grp'] },
            },
          })),
          ...countUpdates(table, dlq, countChange(run, -1)),
        ]);
      } catch (error) {
        if (!failedConditions(error)) throw error;
        // Someone else removed or replaced some of them: read what is there now and remove that.
        await remove(
          dlq,
          run.map((l) => l.messageId),
        );
      }
    }
    await batchWrite(
      documents,
      table,
      ids.map((id) => ({ DeleteRequest: { Key: bodyKey(dlq, id) } })),
    );
  }
}
