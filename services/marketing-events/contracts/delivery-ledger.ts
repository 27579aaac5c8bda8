/**
 * marketing-events' delivery ledger (DynamoDB): where each event has been delivered, and how each platform answered
 * lately. The dispatcher writes it; the dead-letter console reads it (which dead letters need no redrive, and
 * whether a platform still refuses what it refused), so its shape lives here, with both.
 */
import { BatchGetCommand, BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { retryWhile } from '@backbone/shared';

/** A platform's name, as routing, the ledger and the metrics know it. */
export type DestinationName = string;

/** What the delivery ledger knows of one event. */
export interface LedgerEntry {
  /** The platforms that have it. */
  delivered: ReadonlySet<DestinationName>;
  /** At-most-once platforms a request was started to whose outcome has not been written down yet. */
  sending: ReadonlySet<DestinationName>;
}

/**
 * Where each event has been delivered: a redelivered message or a retried batch never sends an event again to a
 * platform that already has it, and never sends it blindly again to an at-most-once platform that may have it
 * (DynamoDB in AWS: one item per event, read once per batch, written whole).
 */
export interface DeliveryLedger {
  /** The entries of those of these events it knows. */
  read(eventIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /** Replaces each of these events' entries, as they are when it is called (they change afterwards). */
  write(entries: ReadonlyMap<string, LedgerEntry>): Promise<void>;
}

/** The ledger's table in a stage (marketing-events declares it; the console reads it). */
export const deliveriesTableName = (stage: string): string => `marketing-events-${stage}-deliveries`;

// DynamoDB limits: 100 keys per BatchGetItem, 25 items per BatchWriteItem.
const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
const MAX_ROUNDS = 8;
// Longer than an event can live: 4 days on the queue plus 14 in the DLQ, redriven at the last moment.
const RETENTION_SECONDS = 30 * 86_400;

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

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
      await retryWhile(
        async () => (left = await send(left)),
        (unsent) => unsent.length > 0,
        { attempts: MAX_ROUNDS, baseMs: 50, capMs: 1_000, jitter: 'full' },
      );
      if (left.length > 0) throw new Error(`DynamoDB left ${left.length} ${what} after ${MAX_ROUNDS} rounds`);
    }),
  );
}

/** The items of these ids that exist, read strongly consistent (a read a second after a write must see it). */
async function readItems(
  documents: DynamoDBDocumentClient,
  tableName: string,
  ids: readonly string[],
  projection: { expression: string; names?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  await untilProcessed(
    ids.map((id): Record<string, unknown> => ({ id })),
    GET_CHUNK,
    'keys unread',
    async (keys) => {
      const answer = await documents.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ProjectionExpression: projection.expression,
              ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
              ConsistentRead: true,
            },
          },
        }),
      );
      items.push(...(answer.Responses?.[tableName] ?? []));
      return (answer.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    },
  );
  return items;
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
      // Strongly consistent: a retry a second after a delivery must see it, or it sends again.
      const items = await readItems(documents, tableName, eventIds, { expression: 'id, destinations, sending' });
      return new Map(
        items.map((item): [string, LedgerEntry] => [
          String(item.id),
          {
            delivered: new Set(item.destinations as DestinationName[] | undefined),
            sending: new Set(item.sending as DestinationName[] | undefined),
          },
        ]),
      );
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

/**
 * How a platform answered lately, as the dispatchers saw it: when it last accepted an event, and when it last failed
 * one (refused it, or did not answer), with the reason. A dead letter's failure still being the platform's latest
 * answer, with nothing accepted since, says that redriving it now would fail again.
 */
export interface DestinationStatus {
  destination: DestinationName;
  /** Epoch ms. */
  acceptedAt?: number;
  /** Epoch ms. */
  failedAt?: number;
  /** The reason given for the latest failure (the platform's own words; no personal data, as in every DLQ reason). */
  failure?: string;
}

export interface DestinationStatusBoard {
  /** Notes what a platform did with requests at `at`: accepted some, failed some (the last failure's reason), or both. */
  note(destination: DestinationName, seen: { accepted: boolean; failure?: string }, at: number): Promise<void>;
  read(destinations: readonly DestinationName[]): Promise<Map<DestinationName, DestinationStatus>>;
}

/** One item per platform beside the events' (no event id starts with '#'). */
const statusKey = (destination: DestinationName): string => `#status#${destination}`;

/** The platforms' latest answers, kept in the ledger's table: one small item per platform, updated in place. */
export function createDynamoDbDestinationStatusBoard(
  documents: DynamoDBDocumentClient,
  tableName: string,
): DestinationStatusBoard {
  return {
    async note(destination, { accepted, failure }, at) {
      // Each attribute on its own: dispatchers in other containers set the others at the same time.
      const sets: string[] = [];
      const values: Record<string, unknown> = {};
      if (accepted) {
        sets.push('acceptedAt = :at');
        values[':at'] = at;
      }
      if (failure !== undefined) {
        sets.push('failedAt = :at', '#failure = :failure');
        values[':at'] = at;
        values[':failure'] = failure;
      }
      if (sets.length === 0) return;
      await documents.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id: statusKey(destination) },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeValues: values,
          // DynamoDB reserves many plain words; a placeholder cannot collide with any.
          ...(failure !== undefined ? { ExpressionAttributeNames: { '#failure': 'failure' } } : {}),
        }),
      );
    },
    async read(destinations) {
      const found = new Map<DestinationName, DestinationStatus>();
      if (destinations.length === 0) return found;
      const items = await readItems(documents, tableName, destinations.map(statusKey), {
        expression: 'id, acceptedAt, failedAt, #failure',
        names: { '#failure': 'failure' },
      });
      for (const item of items) {
        const destination = String(item.id).slice(statusKey('').length);
        found.set(destination, {
          destination,
          ...(typeof item.acceptedAt === 'number' ? { acceptedAt: item.acceptedAt } : {}),
          ...(typeof item.failedAt === 'number' ? { failedAt: item.failedAt } : {}),
          ...(typeof item.failure === 'string' ? { failure: item.failure } : {}),
        });
      }
      return found;
    },
  };
}
