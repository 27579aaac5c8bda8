/**
 * The dead-letter console when things go wrong: an event fixed and resent (a currency code the contract refuses),
 * a redrive killed mid-way and run again (nothing lost; what was sent twice absorbed by the consumer), and a FIFO
 * DLQ redriven in group order with its group ids.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ATTRIBUTE } from '@backbone/shared';
import { publishMarketingEvents } from '@backbone/marketing-events/contracts';
import { waitFor } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import { countsFor } from '@backbone/marketing-events/local';
import { indexedLetters, rolesFrom, sweepDeadLetters, type Actor } from '@backbone/dlq-console/local';
import {
  console_,
  DLQ,
  emptyMarketingQueues,
  META_REFUSES,
  queueCounts,
  sandbox,
  sendEventWithInvalidCurrency,
  stores,
  newestAudited,
  runFilter,
} from './dead-letter-console-support';

const ROOT = path.join(__dirname, '../..');
const ops: Actor = { name: 'ops@test', roles: rolesFrom(['dlq:read', 'dlq:redrive', 'dlq:edit:LoanApproved']) };
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;

const depthOf = async (url: string) => {
  const { waiting, hidden } = await queueCounts(sqs, url);
  return waiting + hidden;
};

beforeAll(async () => {
  ({ sqs, queueUrl, dlqUrl } = await emptyMarketingQueues());
});

afterAll(async () => {
  await sandbox.reset();
  sqs?.destroy();
});

it('fixes a message the contract refused (a currency code) and resends it: delivered, audited by field name', async () => {
  const began = Date.now();
  const run = randomUUID().slice(0, 8);
  await sendEventWithInvalidCurrency(sqs, queueUrl, run);
  const [dead] = await waitFor('the invalid event in the index', async () => {
    const found = await console_.messages(ops, DLQ, await runFilter(run));
    return found.length === 1 ? found : undefined;
  });
  expect(dead!.reason).toMatch(/data\.currency/);
  expect(dead!.body).not.toContain('fix.me');

  const dryRun = await console_.dryRun(ops, await console_.plan(ops, DLQ, { ids: [dead!.messageId] }));
  expect(dryRun.wouldFail).toEqual([
    expect.objectContaining({ count: 1, reason: expect.stringMatching(/data\.currency/) }),
  ]);

  await expect(
    console_.fixAndResend(ops, DLQ, dead!.messageId, [{ path: 'currency', value: 'GBP pounds' }]),
  ).rejects.toThrow(/still invalid, so nothing was sent/);
  const result = await console_.fixAndResend(ops, DLQ, dead!.messageId, [{ path: 'currency', value: 'GBP' }]);
  expect(result).toMatchObject({ sent: true, fields: ['data.currency'] });
  await waitFor('the fixed event at Meta', async () => ((await sandbox.received()).meta?.unique ? true : undefined));
  expect(countsFor(await sandbox.received(), 'meta')).toMatchObject({ unique: 1, duplicates: 0 });
  expect(await depthOf(dlqUrl)).toBe(0);
  const entry = await newestAudited('fix-and-resend', began);
  expect(entry).toMatchObject({ action: 'fix-and-resend', outcome: 'sent', detail: { fields: ['data.currency'] } });
  expect(JSON.stringify(entry)).not.toContain('GBP');
});

it('finishes a redrive killed mid-way when it is run again: every event delivered, none lost', async () => {
  await sandbox.reset();
  await sandbox.faults(META_REFUSES);
  const run = randomUUID().slice(0, 8);
  await publishMarketingEvents(
    { sqs, queueUrl },
    Array.from({ length: 40 }, (_, i) => sampleMarketingEvent(run, i)),
  );
  const dead = await waitFor(
    'the refused events in the index',
    async () => {
      const indexed = await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 });
      return indexed.length > 0 && indexed.length === (await depthOf(dlqUrl)) && (await depthOf(queueUrl)) === 0
        ? indexed
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  await sandbox.reset();

  // The redrive runs as a person runs it, and is killed (SIGKILL, its whole process group) once a few are through.
  const ids = (await runFilter(run)).ids.join(',');
  const args = ['scripts/dlq.ts', 'redrive', DLQ, '--ids', ids, '--yes', '--canary', '3', '--watch', '1'];
  const killed = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/.bin/tsx'), ...args, '--rate', '4', '--visibility', '6', '--lease', '6s'],
    {
      cwd: ROOT,
      detached: true,
      stdio: 'ignore',
    },
  );
  await waitFor('a few redriven events at Meta', async () =>
    countsFor(await sandbox.received(), 'meta').unique >= 6 ? true : undefined,
  );
  process.kill(-killed.pid!, 'SIGKILL');
  const atKill = countsFor(await sandbox.received(), 'meta').unique;
  expect(atKill).toBeLessThan(dead.length);

  // Run again once what the killed one held is visible again (6 s) and its lock has lapsed (6 s).
  await waitFor(
    'the killed redrive’s messages visible again and its lock lapsed',
    async () => {
      if ((await queueCounts(sqs, dlqUrl)).hidden > 0) return undefined;
      const probe = `recovery-test-${run}`;
      if (!(await stores.locks.acquire(DLQ, probe, 1_000))) return undefined;
      await stores.locks.release(DLQ, probe);
      return true;
    },
    { timeoutMs: 20_000, intervalMs: 250 },
  );
  const rerun = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/.bin/tsx'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(rerun.stderr).toBe('');
  expect(rerun.status).toBe(0);
  await waitFor('every event at Meta', async () =>
    countsFor(await sandbox.received(), 'meta').unique >= dead.length ? true : undefined,
  );
  // Meta has each once (it deduplicates on the event id: a send repeated by the crash is absorbed there).
  expect(countsFor(await sandbox.received(), 'meta').unique).toBe(dead.length);
  expect(await depthOf(dlqUrl)).toBe(0);
  expect(await console_.messages(ops, DLQ, await runFilter(run))).toEqual([]);
});

describe('a FIFO DLQ', () => {
  // Under the console's own prefix: the console serves the project's queues only (QUEUE_PREFIXES).
  // Named for this run: a queue an interrupted run left behind (its messages, its index entries) is not this one's.
  const queueRun = randomUUID().slice(0, 8);
  const SOURCE = `dlq-console-local-test-${queueRun}-orders.fifo`;
  const FIFO_DLQ = `dlq-console-local-test-${queueRun}-orders-dlq.fifo`;
  let sourceUrl: string;
  let fifoDlqUrl: string;

  beforeAll(async () => {
    fifoDlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: FIFO_DLQ, Attributes: { FifoQueue: 'true' } })))
      .QueueUrl!;
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: fifoDlqUrl, AttributeNames: ['QueueArn'] }),
    );
    sourceUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: SOURCE,
          Attributes: {
            FifoQueue: 'true',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes.QueueArn, maxReceiveCount: 3 }),
          },
        }),
      )
    ).QueueUrl!;
    // Dead letters as the sink leaves them: group g1 a1..a3, g2 b1..b2, in that order.
    for (const [group, id] of [
      ['g1', 'a1'],
      ['g2', 'b1'],
      ['g1', 'a2'],
      ['g2', 'b2'],
      ['g1', 'a3'],
    ] as const)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: fifoDlqUrl,
          MessageBody: JSON.stringify({ id }),
          MessageGroupId: group,
          MessageDeduplicationId: `dead-${id}-${randomUUID()}`,
          MessageAttributes: {
            [ATTRIBUTE.failureReason]: { DataType: 'String', StringValue: 'engine answered 503: busy' },
            [ATTRIBUTE.failureKind]: { DataType: 'String', StringValue: 'retries-exhausted' },
            [ATTRIBUTE.failureSource]: {
              DataType: 'String',
              StringValue: `arn:aws:sqs:eu-west-1:000000000000:${SOURCE}`,
            },
          },
        }),
      );
  });

  afterAll(async () => {
    await stores.index.remove(
      FIFO_DLQ,
      (await indexedLetters(stores.index, FIFO_DLQ)).map((l) => l.messageId),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: sourceUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: fifoDlqUrl }));
  });

  /** What the source queue receives, in order: [group, id]. */
  const receivedAtSource = async (count: number): Promise<[string, string][]> => {
    const got: [string, string][] = [];
    while (got.length < count) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: sourceUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 2,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) {
        got.push([m.Attributes!.MessageGroupId!, (JSON.parse(m.Body!) as { id: string }).id]);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: sourceUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
    }
    return got;
  };

  it('is swept into the index with its groups, and a chosen message moves with the earlier ones of its group, in order', async () => {
    await sweepDeadLetters(stores.queues, stores.index);
    const indexed = await indexedLetters(stores.index, FIFO_DLQ);
    expect(indexed.map((l) => [l.groupId, (JSON.parse(l.body!) as { id: string }).id]).sort()).toEqual([
      ['g1', 'a1'],
      ['g1', 'a2'],
      ['g1', 'a3'],
      ['g2', 'b1'],
      ['g2', 'b2'],
    ]);
    const a2 = indexed.find((l) => l.body === '{"id":"a2"}')!;
    const plan = await console_.plan(ops, FIFO_DLQ, { ids: [a2.messageId] });
    expect(plan.addedForOrder).toBe(1);
    const outcome = await console_.redrive(ops, plan, { redriveId: randomUUID(), canary: 1, canaryWatchMs: 500 });
    expect(outcome).toMatchObject({ stage: 'done', sent: 2 });
    expect(await receivedAtSource(2)).toEqual([
      ['g1', 'a1'],
      ['g1', 'a2'],
    ]);

    const rest = await console_.plan(ops, FIFO_DLQ);
    expect(rest.selected).toBe(3);
    await console_.redrive(ops, rest, { redriveId: randomUUID(), canary: 1, canaryWatchMs: 500 });
    const got = await receivedAtSource(3);
    expect(got.filter(([g]) => g === 'g1')).toEqual([['g1', 'a3']]);
    expect(got.filter(([g]) => g === 'g2')).toEqual([
      ['g2', 'b1'],
      ['g2', 'b2'],
    ]);
    expect(await depthOf(fifoDlqUrl)).toBe(0);
  });
});
