/**
 * 2,000 post-install events through the local cloud (DELIVERY_TEST_EVENTS=10000 for the full size): published with
 * publishMarketingEvents, delivered by the dispatcher in serverless-offline to the marketing-platform sandbox, which
 * fails 20 % of requests and goes down for 10 seconds (DELIVERY_TEST_OUTAGE_SECONDS) once a quarter of the events
 * have arrived. Every event reaches every platform it is routed to exactly once; the poison events, and only they,
 * end in the DLQ with their reasons.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientSettings, awsEnvironmentSchema, createSqsClient, loadConfig } from '@backbone/shared';
import { publishMarketingEvents } from '../../contracts';
import { queueIsEmpty, waitFor } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '../../contracts/testing';
import { countsFor, sandboxClient } from '../../local/sandbox';

const QUEUE = 'marketing-events-local-events';
const DLQ = 'marketing-events-local-events-dlq';
const SANDBOX = 'http://127.0.0.1:4590';
const EVENTS = Number(process.env['DELIVERY_TEST_EVENTS'] ?? 2_000);
const OUTAGE_SECONDS = Number(process.env['DELIVERY_TEST_OUTAGE_SECONDS'] ?? 10);
const TOO_OLD = 20;
const MALFORMED = 20;

let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;

const sandbox = sandboxClient(SANDBOX);

beforeAll(async () => {
  sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
  // Start from nothing: what the demo or an earlier run left would blur the counts.
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
  await sandbox.reset();
});

afterAll(async () => {
  await sandbox.reset();
  sqs?.destroy();
});

it(`delivers ${EVENTS} events exactly once per platform (in many Meta batches) through failures and an outage; only poison reaches the DLQ`, async () => {
  const run = randomUUID().slice(0, 8);
  await sandbox.faults({ failureRate: 0.2, statuses: [500, 503, 429] });

  const good = Array.from({ length: EVENTS }, (_, i) => sampleMarketingEvent(run, i));
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
  // Valid, but older than Meta (7 days) and GA4 (72 hours) accept: only the webhook can take them.
  const tooOld = Array.from({ length: TOO_OLD }, (_, i) => sampleMarketingEvent(`${run}-old`, i * 5 + 2, tenDaysAgo));
  const results = await publishMarketingEvents({ sqs, queueUrl }, [...good, ...tooOld], { concurrency: 8 });
  expect(results.filter((r) => r.status !== 'sent')).toEqual([]);
  expect(new Set(results.map((r) => r.eventId)).size).toBe(EVENTS + TOO_OLD);

  // A buggy producer that bypasses the contracts: half not JSON, half without a customer.
  const malformed = Array.from({ length: MALFORMED }, (_, i) =>
    i % 2 === 0
      ? `{"id": "broken-${run}-${i}"`
      : JSON.stringify({
          id: `invalid-${run}-${i}`,
          type: 'LoanApproved',
          version: 1,
          occurredAt: new Date().toISOString(),
          correlationId: run,
          data: { loanId: 'x' },
        }),
  );
  for (let i = 0; i < malformed.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: malformed.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
  }

  // Mid-flight (a quarter of the events at GA4, most still to come), every platform goes down (the 20 % failures
  // carry on around it).
  const atOutage = await waitFor(
    'a quarter of the events at GA4',
    async () => {
      const now = await sandbox.received();
      return countsFor(now, 'ga4').unique >= EVENTS / 4 ? now : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100 },
  );
  await sandbox.faults({ failureRate: 0.2, statuses: [500, 503, 429], outageSeconds: OUTAGE_SECONDS });
  expect(countsFor(atOutage, 'meta').unique).toBeLessThan(EVENTS / 2);

  const expected = {
    meta: (EVENTS * 4) / 5, // FirstRepaymentMade is not routed to Meta
    ga4: EVENTS,
    webhook: EVENTS + TOO_OLD,
  };
  const received = await waitFor(
    'every event at every platform, and the queue empty',
    async () => {
      const now = await sandbox.received();
      const complete = (['meta', 'ga4', 'webhook'] as const).every(
        (platform) => countsFor(now, platform).unique >= expected[platform],
      );
      return complete && (await queueIsEmpty(sqs, queueUrl)) ? now : undefined;
    },
    { timeoutMs: 420_000, intervalMs: 2_000 },
  );

  for (const platform of ['meta', 'ga4', 'webhook'] as const) {
    expect({
      platform,
      unique: countsFor(received, platform).unique,
      duplicates: countsFor(received, platform).duplicates,
    }).toEqual({
      platform,
      unique: expected[platform],
      duplicates: 0,
    });
    expect(countsFor(received, platform).injectedFailures).toBeGreaterThan(0);
  }
  // Meta took them in many requests (so a retried or bisected batch was among them), not in a handful.
  expect(countsFor(received, 'meta').requests).toBeGreaterThanOrEqual(10);

  const dead: Message[] = [];
  await waitFor(
    'the poison events in the DLQ',
    async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 120,
          MessageAttributeNames: ['All'],
        }),
      );
      dead.push(...Messages);
      return dead.length >= TOO_OLD + MALFORMED && Messages.length === 0 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  const reasons = dead.map((m) => m.MessageAttributes?.['failure.reason']?.StringValue ?? '(no reason)');
  expect(dead).toHaveLength(TOO_OLD + MALFORMED);
  expect(reasons.filter((r) => r.includes('message body is not JSON'))).toHaveLength(MALFORMED / 2);
  expect(reasons.filter((r) => r.includes('LoanApproved v1 message') && r.includes('data.customer'))).toHaveLength(
    MALFORMED / 2,
  );
  const tooOldReasons = reasons.filter((r) => r.includes('Meta accepts events at most 7 days old'));
  expect(tooOldReasons).toHaveLength(TOO_OLD);
  expect(tooOldReasons.every((r) => r.includes('GA4 accepts at most 72'))).toBe(true);
  expect(dead.every((m) => m.MessageAttributes?.['failure.kind']?.StringValue === 'permanent')).toBe(true);
}, 600_000);
