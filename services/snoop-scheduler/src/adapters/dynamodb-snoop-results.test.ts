import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SnoopResultItem } from '../domain/engine/evaluate';
import { RunSupersededError, type Admission } from '../domain/engine/run-fence';
import { createDynamoDbResultWriter } from './dynamodb-snoop-results';

const item = (n: number): SnoopResultItem => ({
  customerId: `c-${n}`,
  ruleId: 'r',
  qualified: true,
  score: 0.5,
  explanation: 'e',
  rulesVersion: 'v',
  runId: 'run',
  evaluatedAt: '2026-11-30T00:00:00.000Z',
});

type Put = { PutRequest: { Item: SnoopResultItem & { expiresAt: number } } };

/** DynamoDB that leaves the last `leave(call)` items of a call unprocessed. */
function fakeDocuments(leave: (call: number, size: number) => number) {
  const calls: Put[][] = [];
  const documents = {
    send: async (command: { input: { RequestItems: Record<string, Put[]> } }) => {
      const puts = command.input.RequestItems['results']!;
      calls.push(puts);
      const left = leave(calls.length, puts.length);
      return { UnprocessedItems: left > 0 ? { results: puts.slice(puts.length - left) } : {} };
    },
  } as unknown as DynamoDBDocumentClient;
  return { documents, calls };
}

const admitted = async (): Promise<Admission> => ({ admitted: true });
const noWait = { sleep: async () => undefined };

describe('writing results', () => {
  it('writes 25 items a call with their expiry, and sends what DynamoDB left unprocessed again', async () => {
    const { documents, calls } = fakeDocuments((call) => (call === 1 ? 5 : 0));
    const writer = createDynamoDbResultWriter(documents, 'results', { keepDays: 35, deadlineMs: 10_000, ...noWait });
    const items = Array.from({ length: 60 }, (_, i) => item(i));
    expect(await writer.write(items, { admit: admitted })).toEqual({ written: 60 });
    expect(calls.map((c) => c.length).sort((a, b) => a - b)).toEqual([5, 10, 25, 25]);
    const stored = calls.flat().map((p) => p.PutRequest.Item);
    expect(new Set(stored.map((i) => i.customerId)).size).toBe(60);
    const days = (stored[0]!.expiresAt - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(34.9);
    expect(days).toBeLessThanOrEqual(35);
  });

  it('asks the run fence before every call, retries included, and stops when it refuses', async () => {
    const { documents, calls } = fakeDocuments(() => 10);
    const answers: Admission[] = [
      { admitted: true },
      { admitted: false, reason: 'superseded', message: 'run run is not the current run' },
    ];
    let asked = 0;
    const writer = createDynamoDbResultWriter(documents, 'results', { keepDays: 1, deadlineMs: 10_000, ...noWait });
    const failure = await writer
      .write(
        Array.from({ length: 25 }, (_, i) => item(i)),
        { admit: async () => answers[asked++]! },
      )
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunSupersededError);
    expect(failure).toMatchObject({ message: 'run run is not the current run', written: 15 });
    expect(calls).toHaveLength(1);
    expect(asked).toBe(2);
  });

  it('gives up after its deadline, saying the request can be sent again', async () => {
    const { documents } = fakeDocuments(() => 1);
    const writer = createDynamoDbResultWriter(documents, 'results', { keepDays: 1, deadlineMs: 0, ...noWait });
    await expect(writer.write([item(1)], { admit: admitted })).rejects.toThrow(
      /left 1 results unprocessed after 1 attempts: the table is throttled; the request can be sent again/,
    );
  });
});
