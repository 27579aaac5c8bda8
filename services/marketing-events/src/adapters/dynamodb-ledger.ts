import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DestinationName } from '../domain/destination';
import type { DeliveryLedger, LedgerEntry } from '../domain/dispatch';

// DynamoDB limits: 100 keys per BatchGetItem, 25 items per BatchWriteItem.
const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
const MAX_ROUNDS = 8;
// Longer than an event can live: 4 days on the queue plus 14 in the DLQ, redriven at the last moment.
const RETENTION_SECONDS = 30 * 86_400;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const pause = (round: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 25 * 2 ** round) * Math.random()));

/**
 * DynamoDB's batch calls may leave part of a request undone (UnprocessedKeys/Items): send each chunk,
 * then what it left, with backoff, until nothing is left or MAX_ROUNDS have passed.
 */
async function untilProcessed<T>(
  items: readonly T[],
  chunkSize: number,
  what: string,
  send: (chunk: T[]) => Promise<T[]>,
): Promise<void> {
  await Promise.all(
    chunks(items, chunkSize).map(async (chunk) => {
      let left = chunk;
      for (let round = 0; left.length > 0; round++) {
        if (round === MAX_ROUNDS) throw new Error(`DynamoDB left ${left.length} ${what} after ${MAX_ROUNDS} rounds`);
        if (round > 0) await pause(round);
        left = await send(left);
      }
    }),
  );
}

/**
 * One item per event: `destinations` it has been delivered to, `sending` (at-most-once platforms with a send in
 * doubt; absent when none), expiring after the longest it can be redriven.
 */
export function createDynamoDbDeliveryLedger(
  documents: DynamoDBDocumentClient,
  tableName: string,
  clock: () => number = Date.now,
): DeliveryLedger {
  return {
    async read(eventIds) {
      const found = new Map<string, LedgerEntry>();
      await untilProcessed(
        eventIds.map((id): Record<string, unknown> => ({ id })),
        GET_CHUNK,
        'keys unread',
        async (keys) => {
          const answer = await documents.send(
            new BatchGetCommand({
              // Strongly consistent: a retry a second after a delivery must see it, or it sends again.
              RequestItems: {
                [tableName]: { Keys: keys, ProjectionExpression: 'id, destinations, sending', ConsistentRead: true },
              },
            }),
          );
          for (const item of answer.Responses?.[tableName] ?? [])
            found.set(String(item.id), {
              delivered: new Set(item.destinations as DestinationName[] | undefined),
              sending: new Set(item.sending as DestinationName[] | undefined),
            });
          return (answer.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        },
      );
      return found;
    },
    async write(entries) {
      const now = Math.floor(clock() / 1000);
      const requests = [...entries].map(([id, { delivered, sending }]) => ({
        PutRequest: {
          Item: {
            id,
            destinations: [...delivered],
            ...(sending.size > 0 ? { sending: [...sending] } : {}),
            updatedAt: now,
            expiration: now + RETENTION_SECONDS,
          },
        },
      }));
      await untilProcessed(requests, WRITE_CHUNK, 'writes undone', async (batch) => {
        const answer = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
        return (answer.UnprocessedItems?.[tableName] as typeof batch | undefined) ?? [];
      });
    },
  };
}
