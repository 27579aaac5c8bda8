/**
 * The console's DynamoDB: the index of dead letters (pk Q#<dlq>, sk the message id), the redrive locks beside it
 * (pk LOCK#<dlq>), and the append-only audit trail (its own table: pk AUDIT#<day>, sk <time>#<id>), read here and
 * written only by the audit recorder.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { DeadLetter } from '../domain/dead-letters';
import type {
  AuditEntry,
  AuditTrail,
  DeadLetterIndex,
  RedriveLocks,
  RedriveRecord,
  RedriveRecords,
} from '../domain/ports';

const DAY_MS = 86_400_000;
/** A dead letter outlives its DLQ's longest retention (14 days) by a day: the index never outlasts the message long. */
const INDEX_KEEP_MS = 15 * DAY_MS;
const BATCH = 25;

type Write = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

async function batchWrite(documents: DynamoDBDocumentClient, table: string, writes: Write[]): Promise<void> {
  for (let i = 0; i < writes.length; i += BATCH) {
    let pending: Write[] = writes.slice(i, i + BATCH);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8)
        throw new Error(`DynamoDB left ${pending.length} writes to ${table} unprocessed after 8 retries`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      const out = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
      pending = (out.UnprocessedItems?.[table] ?? []) as Write[];
    }
  }
}

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

const indexKey = (dlq: string, messageId: string) => ({ pk: `Q#${dlq}`, sk: messageId });

export function createDynamoDbIndex(documents: DynamoDBDocumentClient, table: string): DeadLetterIndex {
  return {
    async list(dlq) {
      const letters: DeadLetter[] = [];
      for await (const item of partition(documents, { TableName: table, pk: `Q#${dlq}`, ConsistentRead: true })) {
        const { destinations, ...rest } = withoutKeys(item, 'expiresAt');
        // Entries indexed before destinations were recorded as data read as having none.
        letters.push({
          ...rest,
          destinations: typeof destinations === 'string' ? (JSON.parse(destinations) as unknown) : [],
        } as unknown as DeadLetter);
      }
      return letters;
    },
    async put(letters) {
      await batchWrite(
        documents,
        table,
        letters.map((letter) => ({
          PutRequest: {
            Item: {
              ...indexKey(letter.dlq, letter.messageId),
              ...letter,
              // One string, not a list of maps: every view reads the whole partition, and DynamoDB's nested
              // types cost it a fifth of its inspection rate (bench:dlq).
              destinations: JSON.stringify(letter.destinations),
              expiresAt: Math.floor((Date.parse(letter.failedAt) + INDEX_KEEP_MS) / 1000),
            },
          },
        })),
      );
    },
    async remove(dlq, messageIds) {
      await batchWrite(
        documents,
        table,
        [...new Set(messageIds)].map((id) => ({ DeleteRequest: { Key: indexKey(dlq, id) } })),
      );
    },
  };
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
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { ...key(record.redriveId), ...record, expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400 },
        }),
      );
    },
    async get(redriveId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: key(redriveId), ConsistentRead: true }),
      );
      return Item ? (withoutKeys(Item, 'expiresAt') as unknown as RedriveRecord) : undefined;
    },
  };
}
