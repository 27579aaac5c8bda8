/**
 * DynamoDB calls the index of dead letters makes in bulk, each retried as DynamoDB asks: a transaction cancelled by a
 * concurrent one on the same counts, and the items a batch left unprocessed.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from './dead-letter-index-items';

/** Which items of a cancelled transaction failed their condition (by position), or undefined for another cause. */
export function failedConditions(error: unknown): Set<number> | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  if (reasons.some((r) => r.Code && r.Code !== 'None' && r.Code !== 'ConditionalCheckFailed')) return undefined;
  return new Set(reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : [])));
}

/** Another transaction on the same counts at the same moment: DynamoDB cancels one, which tries again. */
const isConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException &&
  (error.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict');

export async function transact(documents: DynamoDBDocumentClient, items: TransactItem[]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await documents.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!isConflict(error) || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** Math.min(attempt, 6)));
    }
  }
}

export type Write =
  { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/**
 * Sends `requests` in slices of `size`, each slice again with what DynamoDB left unprocessed (after a jittered
 * backoff), at most 8 times.
 */
async function inSlices<T>(
  requests: readonly T[],
  size: number,
  what: string,
  send: (slice: T[]) => Promise<T[]>,
): Promise<void> {
  for (let i = 0; i < requests.length; i += size) {
    let pending = requests.slice(i, i + size);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`DynamoDB left ${pending.length} ${what} unprocessed after 8 retries`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
      pending = await send(pending);
    }
  }
}

export async function batchWrite(documents: DynamoDBDocumentClient, table: string, writes: Write[]): Promise<void> {
  await inSlices(writes, 25, `writes to ${table}`, async (slice) => {
    const out = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: slice } }));
    return (out.UnprocessedItems?.[table] ?? []) as Write[];
  });
}

export async function batchGet(
  documents: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  projection?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await inSlices(keys, 100, `reads of ${table}`, async (slice) => {
    const out = await documents.send(
      new BatchGetCommand({
        RequestItems: {
          [table]: { Keys: slice, ConsistentRead: true, ...(projection ? { ProjectionExpression: projection } : {}) },
        },
      }),
    );
    items.push(...(out.Responses?.[table] ?? []));
    return (out.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
  });
  return items;
}
