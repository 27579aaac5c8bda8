/**
 * The sweeper indexes what reached a DLQ without a notice (the queue's redrive policy moved it: a crash, a
 * timeout), without hiding it; the command line (npm run dlq) reads the index and exits non-zero on failure.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { functionIdentity, openQueue } from '@backbone/shared/testing';
import { indexedLetters, localConsoleEnvironment, openConsoleStores, sweepDeadLetters } from '../../local';

const DLQ = 'device-ownership-local-device-events-dlq';
// The scheduled sweeper's code, signed as the sweeper function (the IAM check attributes its calls to it).
const stores = openConsoleStores({
  ...localConsoleEnvironment(),
  ...functionIdentity('dlq-console-local-sweepDeadLetters'),
});
// What the test itself reads back, under the test's own key (not the sweeper's: it never reads letters).
const { index: indexRead } = openConsoleStores(localConsoleEnvironment());
let sqs: SQSClient;
let dlqUrl: string;

beforeAll(async () => {
  ({ sqs, url: dlqUrl } = await openQueue(DLQ));
});
afterAll(() => sqs?.destroy());

it('indexes a message its redrive policy moved into a DLQ, as unexplained, and hides nothing', async () => {
  const marker = randomUUID();
  const { MessageId } = await sqs.send(
    new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: JSON.stringify({ id: marker, type: 'LoginSucceeded' }) }),
  );
  const results = await sweepDeadLetters(stores.queues, stores.index);
  expect(results.find((r) => r.dlq === DLQ)?.added).toBeGreaterThanOrEqual(1);
  const indexed = (await indexedLetters(indexRead, DLQ)).find((l) => l.messageId === MessageId);
  expect(indexed).toMatchObject({
    kind: 'unexplained',
    sourceQueue: 'device-ownership-local-device-events',
    indexedBy: 'sweeper',
  });
  expect(indexed!.reason).toMatch(/^moved here by the queue's redrive policy/);
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }),
  );
  expect(Attributes.ApproximateNumberOfMessagesNotVisible).toBe('0');
  // Swept again: nothing new, the same entry.
  const again = await sweepDeadLetters(stores.queues, stores.index);
  expect(again.find((r) => r.dlq === DLQ)?.added).toBe(0);
});

it('serves the project’s queues only: another team’s DLQ whose name holds the stage is not listed', async () => {
  const dlqName = 'other-team-local-orders-dlq';
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: dlqName }))).QueueUrl!;
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }),
  );
  await sqs.send(
    new CreateQueueCommand({
      QueueName: 'other-team-local-orders',
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes.QueueArn, maxReceiveCount: 3 }) },
    }),
  );
  const listed = (await stores.queues.deadLetterQueues()).map((q) => q.name);
  expect(listed).toContain(DLQ);
  expect(listed).not.toContain(dlqName);
});

describe('npm run dlq', () => {
  const dlq = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [path.join(__dirname, '../../../../node_modules/.bin/tsx'), 'scripts/dlq.ts', ...args],
      {
        cwd: path.join(__dirname, '../../../..'),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );

  it('prints the DLQs and a DLQ’s groups as tables, and JSON with --json', () => {
    const queues = dlq('queues');
    expect(queues.status).toBe(0);
    expect(queues.stdout).toMatch(/^DLQ +sources +depth +in flight +indexed +oldest +last hour +hour before +trend$/m);
    expect(queues.stdout).toContain(DLQ);
    const groups = dlq('groups', DLQ, '--json');
    expect(groups.status).toBe(0);
    const parsed = JSON.parse(groups.stdout) as { id: string; count: number }[];
    expect(parsed.some((g) => g.count >= 1 && /^[0-9a-f]{8}$/.test(g.id))).toBe(true);
  });

  it('exits 1 and says what to do when asked for a DLQ that does not exist', () => {
    const result = dlq('messages', 'no-such-dlq');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /no DLQ named no-such-dlq; the stage's DLQs are: .*device-ownership-local-device-events-dlq/,
    );
  });
});
