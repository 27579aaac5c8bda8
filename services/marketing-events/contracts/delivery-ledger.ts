/**
 * marketing-events' delivery ledger (DynamoDB): where each event has been delivered, and how each platform answered
 * lately. The dispatcher writes it; the dead-letter console reads it (which dead letters need no redrive, and
 * whether a platform still refuses what it refused), so its shape lives here, with both.
 */
import { ProvisionedThroughputExceededException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
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
 * Marks to make on one event's entry, each adding platforms to or taking them from a set: two dispatchers holding
 * copies of the same event (a message delivered twice, an event published twice) never undo each other's marks, as
 * writing whole entries read a moment before would.
 */
export interface LedgerChange {
  /** Platforms that now have the event. */
  delivered?: readonly DestinationName[];
  /** At-most-once platforms a send to is about to start. */
  sending?: readonly DestinationName[];
  /** Platforms whose send is no longer in doubt (delivered, or known not to have arrived). Not with `sending`. */
  settled?: readonly DestinationName[];
}

/**
 * Where each event has been delivered: a redelivered message or a retried batch never sends an event again to a
 * platform that already has it, and never sends it blindly again to an at-most-once platform that may have it
 * (DynamoDB in AWS: one item per event, read once per batch, changed by set operations).
 */
export interface DeliveryLedger {
  /** The entries of those of these events it knows. */
  read(eventIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /** Makes each event's marks; writing the same change again changes nothing (so a failed write may be retried). */
  write(changes: ReadonlyMap<string, LedgerChange>): Promise<void>;
}

/** The ledger's table in a stage (marketing-events declares it; the console reads it). */
export const deliveriesTableName = (stage: string): string => `marketing-events-${stage}-deliveries`;

// DynamoDB limits: 100 keys per BatchGetItem, 100 actions per TransactWriteItems.
const GET_CHUNK = 100;
const WRITE_CHUNK = 100;
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

/** A change's three lists (empty where absent), checked: one change either starts sends or settles them. */
export function ledgerChangeParts(id: string, change: LedgerChange): Required<LedgerChange> {
  const { delivered = [], sending = [], settled = [] } = change;
  if (sending.length > 0 && settled.length > 0)
    throw new Error(`a ledger change for ${id} both starts and settles sends: write them as two changes`);
  return { delivered, sending, settled };
}

/** One event's marks as a DynamoDB update: sets grown with ADD and shrunk with DELETE, never written whole. */
function ledgerUpdate(tableName: string, id: string, change: LedgerChange, now: number) {
  const { delivered, sending, settled } = ledgerChangeParts(id, change);
  const adds: string[] = [];
  const values: Record<string, unknown> = { ':now': now, ':expiration': now + RETENTION_SECONDS };
  if (delivered.length > 0) {
    adds.push('#destinations :delivered');
    values[':delivered'] = new Set(delivered);
  }
  if (sending.length > 0) {
    adds.push('#sending :sending');
    values[':sending'] = new Set(sending);
  }
  if (settled.length > 0) values[':settled'] = new Set(settled);
  return {
    TableName: tableName,
    Key: { id },
    UpdateExpression:
      'SET #updatedAt = :now, #expiration = :expiration' +
      (adds.length > 0 ? ` ADD ${adds.join(', ')}` : '') +
      (settled.length > 0 ? ' DELETE #sending :settled' : ''),
    ExpressionAttributeNames: {
      '#updatedAt': 'updatedAt',
      '#expiration': 'expiration',
      ...(delivered.length > 0 ? { '#destinations': 'destinations' } : {}),
      ...(sending.length > 0 || settled.length > 0 ? { '#sending': 'sending' } : {}),
    },
    ExpressionAttributeValues: values,
  };
}

/**
 * One item per event: `destinations` it has been delivered to and `sending` (at-most-once platforms with a send in
 * doubt; absent when none), both string sets, expiring after the longest it can be redriven.
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
    async write(changes) {
      const now = Math.floor(clock() / 1000);
      const updates = [...changes].map(([id, change]) => ({ Update: ledgerUpdate(tableName, id, change, now) }));
      // A transaction of up to 100 updates: one request, as a batch write was, but each a set operation. Another
      // writer's transaction on the same event cancels it (a conflict): sent again, it changes nothing twice.
      await untilProcessed(updates, WRITE_CHUNK, 'writes undone', async (chunk) => {
        try {
          await documents.send(new TransactWriteCommand({ TransactItems: chunk }));
          return [];
        } catch (error) {
          if (error instanceof TransactionCanceledException || error instanceof ProvisionedThroughputExceededException)
            return chunk;
          throw error;
        }
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
