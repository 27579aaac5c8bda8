/** What snoop-scheduler's integration tests share: reading results back, and pointing the local engine at a version. */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENGINE_PORT, postJson } from '../../local/engine';

/** The local stage's refresh secret (serverless.common.yml). */
export const LOCAL_REFRESH_SECRET = 'local-rules-refresh-secret';

/** The result items of these customers and rules that exist (consistent reads, 100 keys a call). */
export async function storedResults(
  documents: DynamoDBDocumentClient,
  table: string,
  customerIds: readonly string[],
  ruleIds: readonly string[],
): Promise<Record<string, unknown>[]> {
  const keys = customerIds.flatMap((customerId) => ruleIds.map((ruleId) => ({ customerId, ruleId })));
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    while (pending && pending.length > 0) {
      const out: BatchGetCommandOutput = await documents.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table]?.Keys;
    }
  }
  return items;
}

/** POST /rules/refresh on one engine process; its status and answer. */
export const refreshEngine = (url: string, body: unknown, secret = LOCAL_REFRESH_SECRET) =>
  postJson(`${url}/rules/refresh`, body, secret);

/** The local stage's engine processes (started by the test set-up), each on its own address. */
export const LOCAL_ENGINE_PROCESSES = [ENGINE_PORT + 1, ENGINE_PORT + 2].map((port) => `http://127.0.0.1:${port}`);
