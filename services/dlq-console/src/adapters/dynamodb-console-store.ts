/**
 * The console's DynamoDB besides the index of dead letters (dynamodb-dead-letter-index.ts): the redrive locks and
 * jobs beside it in its table (pk LOCK#<dlq>, JOB#<id>), and the append-only audit trail (its own table: pk
 * AUDIT#<day>, sk <time>#<id>), read here and written only by the audit recorder.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditTrail, RedriveLocks, RedriveRecord, RedriveRecords } from '../domain/ports';

const DAY_MS = 86_400_000;

/** Every item of one partition, page by page. */
async function* partition(
  documents: DynamoDBDocumentClient,
  query: { TableName: string; pk: string; ConsistentRead?: boolean; ScanIndexForward?: boolean },
): AsyncGenerator<Record<string, unknown>> {
  const { pk, ...options } = query;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        ...options,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    yield* page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** An item without its table's keys (and any other attributes named). */
function withoutKeys(item: Record<string, unknown>, ...others: string[]): Record<string, unknown> {
  const rest = { ...item };
  for (const name of ['pk', 'sk', ...others]) delete rest[name];
  return rest;
}

export function createDynamoDbRedriveLocks(documents: DynamoDBDocumentClient, table: string): RedriveLocks {
  const key = (dlq: string) => ({ pk: `LOCK#${dlq}`, sk: 'LOCK' });
  return {
    async acquire(dlq, holder, leaseMs) {
      const now = Date.now();
      try {
        await documents.send(
          new PutCommand({
            TableName: table,
            Item: { ...key(dlq), holder, until: now + leaseMs },
            // Free, expired, or already this holder's (a renewal).
            ConditionExpression: 'attribute_not_exists(pk) OR holder = :holder OR #until < :now',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':holder': holder, ':now': now },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    async release(dlq, holder) {
      try {
        await documents.send(
          new DeleteCommand({
            TableName: table,
            Key: key(dlq),
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        );
      } catch (error) {
        // Taken over after this holder's lease ran out: not ours to release.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}

/**
 * The audit trail's reading side: the newest entries first, day by day. "The last n days" is the n × 24 hours before
 * now, which spans n + 1 UTC days (the partitions): read one day only and a minute after midnight shows nothing of
 * the minute before. Nothing here writes the trail (see below).
 */
export function createDynamoDbAuditReader(
  documents: DynamoDBDocumentClient,
  table: string,
  clock: () => Date = () => new Date(),
): Pick<AuditTrail, 'list'> {
  return {
    async list({ days, limit }) {
      const now = clock().getTime();
      const since = now - days * DAY_MS;
      const entries: AuditEntry[] = [];
      for (let d = 0; d <= days && entries.length < limit; d++) {
        const pk = `AUDIT#${new Date(now - d * DAY_MS).toISOString().slice(0, 10)}`;
        for await (const item of partition(documents, { TableName: table, pk, ScanIndexForward: false })) {
          const entry = withoutKeys(item) as unknown as AuditEntry;
          // Newest first: the rest of this partition is older still.
          if (Date.parse(entry.at) < since) break;
          entries.push(entry);
          if (entries.length >= limit) break;
        }
      }
      return entries;
    },
  };
}

/**
 * Records an audit entry under a key no entry has (its day, its time and its message's unique id), never over one:
 * the same message delivered again finds its entry there and is recorded once. Only the audit recorder's role may
 * call this (PutItem on the audit table; the table's resource policy denies every other writer and every change).
 */
export async function recordAuditEntry(
  documents: DynamoDBDocumentClient,
  table: string,
  entry: AuditEntry,
  uniqueId: string,
): Promise<'recorded' | 'already recorded'> {
  try {
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: { pk: `AUDIT#${entry.at.slice(0, 10)}`, sk: `${entry.at}#${uniqueId}`, ...entry },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    return 'recorded';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'already recorded';
    throw error;
  }
}

/** Redrives asked for through the web API, beside the index (pk JOB#<id>), kept a week. */
export function createDynamoDbRedriveRecords(documents: DynamoDBDocumentClient, table: string): RedriveRecords {
  const key = (redriveId: string) => ({ pk: `JOB#${redriveId}`, sk: 'JOB' });
  return {
    async put(record) {
      const expiresAt = Math.floor(Date.now() / 1000) + 7 * 86_400;
      await documents.send(
        new PutCommand({ TableName: table, Item: { ...key(record.redriveId), ...record, expiresAt } }),
      );
      // Its line in the list of redrives, newest first: one partition, a few items a day.
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: 'REDRIVES',
            sk: `${record.askedAt ?? record.updatedAt}#${record.redriveId}`,
            ...record,
            expiresAt,
          },
        }),
      );
    },
    async list(limit) {
      const { Items = [] } = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'REDRIVES' },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => withoutKeys(item, 'expiresAt') as unknown as RedriveRecord);
    },
    async get(redriveId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: key(redriveId), ConsistentRead: true }),
      );
      return Item ? (withoutKeys(Item, 'expiresAt') as unknown as RedriveRecord) : undefined;
    },
    async cancel(redriveId, by) {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `JOB#${redriveId}`, sk: 'CANCEL', by, expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400 },
        }),
      );
    },
    async cancelledBy(redriveId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: { pk: `JOB#${redriveId}`, sk: 'CANCEL' }, ConsistentRead: true }),
      );
      return Item ? (Item['by'] as string) : undefined;
    },
  };
}
