/**
 * The nightly runs in the snoop-runs table: one item per run (`RUN#<runId>`: the cursor, what was queued, what the
 * engine scored), beside the run fence (`FENCE`, dynamodb-snoop-results.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newRun, type RunRecord, type RunStore } from '../domain/nightly-run';
import { moveRunFence } from './dynamodb-snoop-results';

const runKey = (runId: string): string => `RUN#${runId}`;

const toRun = (item: Record<string, unknown>): RunRecord =>
  Object.fromEntries(Object.entries(item).filter(([key]) => key !== 'pk')) as unknown as RunRecord;

export function createDynamoDbRunStore(documents: DynamoDBDocumentClient, runsTable: string): RunStore {
  return {
    async open(run) {
      const item = newRun(run);
      try {
        await documents.send(
          new PutCommand({
            TableName: runsTable,
            Item: { pk: runKey(run.runId), ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return { created: true, run: item };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return { created: false, run: (await readRun(documents, runsTable, run.runId))! };
      }
    },
    async advance(runId, from, to, queued) {
      await documents.send(
        new UpdateCommand({
          TableName: runsTable,
          Key: { pk: runKey(runId) },
          UpdateExpression: 'SET #cursor = :to ADD queued :queued',
          // Never back, and never twice for one page: only from where this invocation read it.
          ConditionExpression: from === undefined ? 'attribute_not_exists(#cursor)' : '#cursor = :from',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':to': to, ':queued': queued, ...(from === undefined ? {} : { ':from': from }) },
        }),
      );
    },
    async finishQueueing(runId, at) {
      await documents.send(
        new UpdateCommand({
          TableName: runsTable,
          Key: { pk: runKey(runId) },
          UpdateExpression: 'SET queueingDone = :done, queueingDoneAt = :at',
          ExpressionAttributeValues: { ':done': true, ':at': at },
        }),
      );
    },
    async moveFence(run) {
      await moveRunFence(documents, runsTable, run);
    },
  };
}

/** What the invoke step adds to a run as the engine answers. */
export async function countScored(
  documents: DynamoDBDocumentClient,
  runsTable: string,
  runId: string,
  counts: { customersScored: number; customersFailed: number; evaluations: number },
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: runsTable,
      Key: { pk: runKey(runId) },
      UpdateExpression: 'ADD customersScored :scored, customersFailed :failed, evaluations :evaluations',
      // Only an opened run is counted (a request for an unknown run must not create a half item).
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':scored': counts.customersScored,
        ':failed': counts.customersFailed,
        ':evaluations': counts.evaluations,
      },
    }),
  );
}

export async function readRun(
  documents: DynamoDBDocumentClient,
  runsTable: string,
  runId: string,
): Promise<RunRecord | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: runsTable, Key: { pk: runKey(runId) }, ConsistentRead: true }),
  );
  return Item ? toRun(Item) : undefined;
}

/** Every run recorded, newest first (a table of a few hundred items a year). */
export async function listRuns(documents: DynamoDBDocumentClient, runsTable: string): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({
        TableName: runsTable,
        FilterExpression: 'begins_with(pk, :run)',
        ExpressionAttributeValues: { ':run': 'RUN#' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    runs.push(...(page.Items ?? []).map(toRun));
    start = page.LastEvaluatedKey;
  } while (start);
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
}

/** countScored for a run a customer step opened; a run none opened (a hand-made request) has nothing to count on. */
export async function countScoredIfOpen(...args: Parameters<typeof countScored>): Promise<void> {
  try {
    await countScored(...args);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
