/**
 * Snoop results in DynamoDB (the snoop-results table: customer id, rule id) and the run fence beside them (the
 * snoop-runs table). Results go by BatchWriteItem (dynamodb-batch-write.ts), 25 items a call, a few calls at once;
 * what DynamoDB leaves unprocessed, or a call that failed on the way, is sent again with exponential backoff and
 * jitter. Before every call, first or retry, the run fence is
 * asked whether the run may still write (see domain/engine/run-fence.ts): the writes of a superseded run stop.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RunSupersededError, type Fence, type FenceStore } from '../../engine/domain/run-fence';
import type { ResultWriter, SnoopResultItem } from '../../engine/domain/evaluate';
import { DynamoDbRequestError, type BatchWriteItem, type ItemJson } from './dynamodb-batch-write';
import { retryWhile } from '@backbone/shared';

/** The item that holds the fence in the runs table. */
export const FENCE_KEY = 'FENCE';
const BATCH = 25;
const CALLS_IN_FLIGHT = 4;
const BACKOFF_BASE_MS = 25;
const BACKOFF_CAP_MS = 1_000;

export function createDynamoDbFenceStore(documents: DynamoDBDocumentClient, runsTable: string): FenceStore {
  return {
    async read() {
      const { Item } = await documents.send(
        new GetCommand({ TableName: runsTable, Key: { pk: FENCE_KEY }, ConsistentRead: true }),
      );
      return Item ? { runId: String(Item['runId']), startedAt: String(Item['startedAt']) } : undefined;
    },
  };
}

/**
 * Makes `run` the current run, unless a run that started later already is: the fence moves forward only. Returns
 * the fence as it is afterwards (this run's, or the later one's).
 */
export async function moveRunFence(documents: DynamoDBDocumentClient, runsTable: string, run: Fence): Promise<Fence> {
  try {
    await documents.send(
      new PutCommand({
        TableName: runsTable,
        Item: { pk: FENCE_KEY, ...run, movedAt: new Date().toISOString() },
        // ISO-8601 UTC times of one format compare as text.
        ConditionExpression: 'attribute_not_exists(pk) OR startedAt <= :startedAt',
        ExpressionAttributeValues: { ':startedAt': run.startedAt },
      }),
    );
    return run;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await createDynamoDbFenceStore(documents, runsTable).read();
    return current ?? run;
  }
}

export interface ResultWriterOptions {
  /** How long results are kept (the table's TTL attribute expiresAt), in days. */
  keepDays: number;
  /** Gives up on unprocessed items after this long, so that a request never outlives its caller's patience. */
  deadlineMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The items as DynamoDB's JSON, written straight to text: the schema is fixed and this runs once per evaluation, so
 * no attribute objects are built (a number is JS's own text for it, as the SDK's marshaller writes it). The attributes
 * a write's items share (run, rules version, time, expiry) are written once per write, not once per item.
 */
function itemsJson(items: readonly SnoopResultItem[], expiresAt: string): ItemJson[] {
  let shared = '';
  let sharedBy: SnoopResultItem | undefined;
  return items.map((item) => {
    if (
      !sharedBy ||
      item.runId !== sharedBy.runId ||
      item.rulesVersion !== sharedBy.rulesVersion ||
      item.evaluatedAt !== sharedBy.evaluatedAt
    ) {
      sharedBy = item;
      shared =
        `"rulesVersion":{"S":${JSON.stringify(item.rulesVersion)}},"runId":{"S":${JSON.stringify(item.runId)}},` +
        `"evaluatedAt":{"S":${JSON.stringify(item.evaluatedAt)}},"expiresAt":{"N":"${expiresAt}"}}`;
    }
    return (
      `{"customerId":{"S":${JSON.stringify(item.customerId)}},"ruleId":{"S":${JSON.stringify(item.ruleId)}},` +
      `"qualified":{"BOOL":${item.qualified}},"score":{"N":"${item.score}"},` +
      `"explanation":{"S":${JSON.stringify(item.explanation)}},${shared}`
    );
  });
}

export function createDynamoDbResultWriter(
  batchWrite: BatchWriteItem,
  resultsTable: string,
  options: ResultWriterOptions,
): ResultWriter {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    async write(items, { admit }) {
      const expiresAt = String(Math.floor(Date.now() / 1000) + options.keepDays * 86_400);
      const deadline = performance.now() + options.deadlineMs;
      let written = 0;
      const json = itemsJson(items, expiresAt);
      const batches: ItemJson[][] = [];
      for (let i = 0; i < json.length; i += BATCH) batches.push(json.slice(i, i + BATCH));

      const writeBatch = async (batch: ItemJson[]): Promise<void> => {
        let pending = batch;
        let failure: unknown;
        let attempts = 0;
        const left = await retryWhile(
          async () => {
            attempts++;
            const admission = await admit();
            if (!admission.admitted) throw new RunSupersededError(admission.message, written);
            let unwritten: ItemJson[];
            failure = undefined;
            try {
              unwritten = await batchWrite(resultsTable, pending);
            } catch (error) {
              // Refused for what it is: sending it again would not help.
              if (error instanceof DynamoDbRequestError) throw error;
              // The connection failed or timed out: nothing is known written; the items go again (they are idempotent).
              unwritten = pending;
              failure = error;
            }
            written += pending.length - unwritten.length;
            pending = unwritten;
            return pending.length;
          },
          (count) => count > 0,
          // Full jitter: concurrent writers that were throttled together do not retry together.
          {
            until: deadline,
            baseMs: BACKOFF_BASE_MS,
            capMs: BACKOFF_CAP_MS,
            jitter: 'full',
            sleep,
            now: () => performance.now(),
          },
        );
        if (left > 0)
          throw new Error(
            `DynamoDB left ${left} results unwritten after ${attempts} attempts ` +
              `(${failure instanceof Error ? failure.message : 'the table is throttled'}); ` +
              'the request can be sent again (writes are idempotent)',
          );
      };

      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < batches.length) await writeBatch(batches[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(CALLS_IN_FLIGHT, batches.length) }, worker));
      return { written };
    },
  };
}
