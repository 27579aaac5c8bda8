import type { SnoopResultItem } from '../../engine/domain/evaluate';
import { RunSupersededError, type Admission } from '../../engine/domain/run-fence';
import { DynamoDbRequestError, type BatchWriteItem } from './dynamodb-batch-write';
import { createDynamoDbResultWriter } from './dynamodb-snoop-results';

const item = (n: number): SnoopResultItem => ({
  customerId: `c-${n}`,
  ruleId: 'r',
  qualified: true,
  score: 0.25,
  explanation: 'spent 312.40 "GBP" on eating-out\\ in the last 30 days',
  rulesVersion: 'v',
  runId: 'run',
  evaluatedAt: '2026-11-30T00:00:00.000Z',
});

/** DynamoDB that leaves the last `leave(call)` items of a call unprocessed (or fails the call). */
function fakeDynamoDb(leave: (call: number, size: number) => number | Error) {
  const calls: Record<string, unknown>[][] = [];
  const batchWrite: BatchWriteItem = async (table, items) => {
    expect(table).toBe('results');
    calls.push(items.map((text) => JSON.parse(text) as Record<string, unknown>));
    const left = leave(calls.length, items.length);
    if (left instanceof Error) throw left;
    return items.slice(items.length - left);
  };
  return { batchWrite, calls };
}

const admitted = async (): Promise<Admission> => ({ admitted: true });
const noWait = { sleep: async () => undefined };

describe('writing results', () => {
  it('writes 25 items a request, as DynamoDB JSON with their expiry, and sends what was left unprocessed again', async () => {
    const { batchWrite, calls } = fakeDynamoDb((call) => (call === 1 ? 5 : 0));
    const writer = createDynamoDbResultWriter(batchWrite, 'results', { keepDays: 35, deadlineMs: 10_000, ...noWait });
    const items = Array.from({ length: 60 }, (_, i) => item(i));
    expect(await writer.write(items, { admit: admitted })).toEqual({ written: 60 });
    expect(calls.map((c) => c.length).sort((a, b) => a - b)).toEqual([5, 10, 25, 25]);
    const stored = calls.flat();
    expect(new Set(stored.map((i) => JSON.stringify(i['customerId']))).size).toBe(60);
    expect(stored[0]).toEqual({
      customerId: { S: 'c-0' },
      ruleId: { S: 'r' },
      qualified: { BOOL: true },
      score: { N: '0.25' },
      explanation: { S: 'spent 312.40 "GBP" on eating-out\\ in the last 30 days' },
      rulesVersion: { S: 'v' },
      runId: { S: 'run' },
      evaluatedAt: { S: '2026-11-30T00:00:00.000Z' },
      expiresAt: { N: expect.stringMatching(/^\d+$/) },
    });
    const days = (Number((stored[0]!['expiresAt'] as { N: string }).N) - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(34.9);
    expect(days).toBeLessThanOrEqual(35);
  });

  it('writes each item with its own run, rules version and time when the items of one write differ in them', async () => {
    const { batchWrite, calls } = fakeDynamoDb(() => 0);
    const writer = createDynamoDbResultWriter(batchWrite, 'results', { keepDays: 35, deadlineMs: 10_000, ...noWait });
    const items = [
      item(0),
      { ...item(1), runId: 'other-run' },
      { ...item(2), runId: 'other-run', rulesVersion: 'v2' },
      { ...item(3), evaluatedAt: '2026-12-01T00:00:00.000Z' },
    ];
    await writer.write(items, { admit: admitted });
    expect(calls.flat().map((stored) => [stored['runId'], stored['rulesVersion'], stored['evaluatedAt']])).toEqual(
      items.map((i) => [{ S: i.runId }, { S: i.rulesVersion }, { S: i.evaluatedAt }]),
    );
  });

  it('asks the run fence before every request, retries included, and stops when it refuses', async () => {
    const { batchWrite, calls } = fakeDynamoDb(() => 10);
    const answers: Admission[] = [
      { admitted: true },
      { admitted: false, reason: 'superseded', message: 'run run is not the current run' },
    ];
    let asked = 0;
    const writer = createDynamoDbResultWriter(batchWrite, 'results', { keepDays: 1, deadlineMs: 10_000, ...noWait });
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

  it('sends a request that failed on the way again, but not one DynamoDB refused', async () => {
    const flaky = fakeDynamoDb((call) => (call === 1 ? new Error('socket hang up') : 0));
    const writer = createDynamoDbResultWriter(flaky.batchWrite, 'results', {
      keepDays: 1,
      deadlineMs: 10_000,
      ...noWait,
    });
    expect(await writer.write([item(1)], { admit: admitted })).toEqual({ written: 1 });
    expect(flaky.calls).toHaveLength(2);

    const refused = new DynamoDbRequestError('ValidationException: too big', 400, 'ValidationException');
    const invalid = fakeDynamoDb(() => refused);
    const strict = createDynamoDbResultWriter(invalid.batchWrite, 'results', {
      keepDays: 1,
      deadlineMs: 10_000,
      ...noWait,
    });
    await expect(strict.write([item(1)], { admit: admitted })).rejects.toBe(refused);
    expect(invalid.calls).toHaveLength(1);
  });

  it('gives up after its deadline, saying the request can be sent again', async () => {
    const { batchWrite } = fakeDynamoDb(() => 1);
    const writer = createDynamoDbResultWriter(batchWrite, 'results', { keepDays: 1, deadlineMs: 0, ...noWait });
    await expect(writer.write([item(1)], { admit: admitted })).rejects.toThrow(
      /left 1 results unwritten after 1 attempts \(the table is throttled\); the request can be sent again/,
    );
  });
});
