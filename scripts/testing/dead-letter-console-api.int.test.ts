/**
 * A redrive asked for through the console's web API, as the page asks for it: the plan, its confirmation, the job
 * run by the console's worker in serverless-offline, its progress followed until done, the events at Meta once.
 */
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { publishMarketingEvents } from '@backbone/marketing-events/contracts';
import { waitFor, waitForQueueDrained } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import { localSignIn, rolesFrom } from '@backbone/dlq-console/local';
import {
  console_,
  DLQ,
  emptyMarketingQueues,
  META_REFUSES,
  metaCounts,
  queueCounts,
  sandbox,
  runFilter,
} from './dead-letter-console-support';

const API = 'http://127.0.0.1:3050';
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;

const post = async (path: string, token: string, body: unknown) => {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};
const get = async (path: string, token: string) => {
  const response = await fetch(`${API}${path}`, { headers: { authorization: token } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

const reader = { name: 'test', roles: rolesFrom(['dlq:read']) };

/**
 * `count` events of a run of their own published while Meta refuses them, once the consumer has dead-lettered and the
 * index holds every one (the marketing queue empty, the DLQ's count equal to the index's); then Meta accepts again.
 */
async function refusedByMeta(count: number) {
  const run = randomUUID().slice(0, 8);
  await publishMarketingEvents(
    { sqs, queueUrl },
    Array.from({ length: count }, (_, i) => sampleMarketingEvent(run, i)),
  );
  const dead = await waitFor(
    'the refused events in the index',
    async () => {
      const found = await console_.messages(reader, DLQ, await runFilter(run), { limit: 1_000 });
      const { waiting, hidden } = await queueCounts(sqs, dlqUrl);
      return found.length > 0 && found.length === waiting + hidden && (await queueCounts(sqs, queueUrl)).waiting === 0
        ? found
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
  await sandbox.reset();
  return { run, dead };
}

beforeAll(async () => {
  ({ sqs, queueUrl, dlqUrl } = await emptyMarketingQueues());
  await sandbox.faults(META_REFUSES);
});

afterAll(async () => {
  await sandbox.reset();
  sqs?.destroy();
});

it('runs a confirmed redrive as a job and reports its progress until done; refuses a stale or unauthorised one', async () => {
  const { run, dead } = await refusedByMeta(30);

  const operator = localSignIn({ email: 'ops@example.com', groups: ['dlq:read', 'dlq:redrive'] });
  // The run's dead letters by id (the run id is in their masked ids: only an unmasked search finds them).
  const runIds = { ids: (await runFilter(run)).ids.join(',') };
  const plan = await post(`/api/queues/${DLQ}/plan`, operator, { filter: runIds });
  expect(plan.status).toBe(200);
  expect(plan.json['selected']).toBe(dead.length);
  const summary = plan.json['summary'] as string;

  const onlyReads = localSignIn({ email: 'viewer@example.com', groups: ['dlq:read'] });
  expect((await post(`/api/queues/${DLQ}/redrives`, onlyReads, { filter: runIds, confirm: summary })).status).toBe(403);
  const stale = await post(`/api/queues/${DLQ}/redrives`, operator, {
    filter: runIds,
    confirm: 'an older plan',
  });
  expect(stale.status).toBe(409);

  const asked = await post(`/api/queues/${DLQ}/redrives`, operator, {
    filter: runIds,
    confirm: summary,
    canary: 3,
    watchSeconds: 1,
  });
  expect(asked.status).toBe(202);
  expect(asked.json).toMatchObject({ state: 'queued', actor: 'ops@example.com', summary });
  const id = asked.json['redriveId'] as string;

  const states = new Set<string>();
  const finished = await waitFor(
    'the redrive to finish',
    async () => {
      const { json } = await get(`/api/redrives/${id}`, onlyReads);
      states.add(json['state'] as string);
      return ['done', 'stopped', 'failed', 'refused'].includes(json['state'] as string) ? json : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  expect(finished).toMatchObject({ state: 'done', progress: { sent: dead.length, failedAgain: 0 } });
  expect(states.has('queued') || states.has('running')).toBe(true);
  await waitFor('every event at Meta', async () => ((await metaCounts()).unique >= dead.length ? true : undefined));
  // Nothing more can arrive once the marketing queue is empty, in flight included.
  await waitForQueueDrained(sqs, queueUrl);
  expect(await metaCounts()).toMatchObject({ unique: dead.length, duplicates: 0 });
  expect(await queueCounts(sqs, dlqUrl)).toEqual({ waiting: 0, hidden: 0 });
});

it('cancels a running redrive halfway: what was sent reached Meta once, the rest stays in the DLQ, and the counts add up', async () => {
  ({ sqs, queueUrl, dlqUrl } = await emptyMarketingQueues());
  await sandbox.faults(META_REFUSES);
  const { run, dead } = await refusedByMeta(40);

  const operator = localSignIn({ email: 'ops@example.com', groups: ['dlq:read', 'dlq:redrive'] });
  const runIds = { ids: (await runFilter(run)).ids.join(',') };
  const plan = await post(`/api/queues/${DLQ}/plan`, operator, { filter: runIds });
  // Slowly (4 a second), so that there is a half to cancel.
  const asked = await post(`/api/queues/${DLQ}/redrives`, operator, {
    filter: runIds,
    confirm: plan.json['summary'] as string,
    canary: 2,
    watchSeconds: 1,
    messagesPerSecond: 4,
  });
  const id = asked.json['redriveId'] as string;
  await waitFor(
    'the redrive to have sent a few past its canary',
    async () => {
      const { json } = await get(`/api/redrives/${id}`, operator);
      const sent = (json['progress'] as { sent?: number } | undefined)?.sent ?? 0;
      return json['state'] === 'running' && sent >= 6 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 300 },
  );
  const viewer = localSignIn({ email: 'viewer@example.com', groups: ['dlq:read'] });
  expect((await post(`/api/redrives/${id}/cancel`, viewer, {})).status).toBe(403);
  expect((await post(`/api/redrives/${id}/cancel`, operator, {})).status).toBe(202);
  const stopped = await waitFor(
    'the redrive to stop',
    async () => {
      const { json } = await get(`/api/redrives/${id}`, operator);
      return ['done', 'stopped', 'failed'].includes(json['state'] as string) ? json : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 300 },
  );
  const sent = (stopped['progress'] as { sent: number }).sent;
  expect(stopped).toMatchObject({ state: 'stopped', because: 'cancelled by <email>' });
  expect(sent).toBeGreaterThanOrEqual(6);
  expect(sent).toBeLessThan(dead.length);
  // What was sent reaches Meta once; the rest is in the DLQ and its index, every one.
  await waitFor('the sent events at Meta', async () => ((await metaCounts()).unique >= sent ? true : undefined));
  await waitForQueueDrained(sqs, queueUrl);
  expect(await metaCounts()).toMatchObject({ unique: sent, duplicates: 0 });
  const { waiting, hidden } = await waitFor('the rest visible in the DLQ again', async () => {
    const counts = await queueCounts(sqs, dlqUrl);
    return counts.waiting + counts.hidden === dead.length - sent ? counts : undefined;
  });
  expect(waiting + hidden + sent).toBe(dead.length);
  const left = await console_.messages(reader, DLQ, await runFilter(run), { limit: 1_000 });
  expect(left).toHaveLength(dead.length - sent);
  // The list of redrives: this one first, stopped, with its counts and who (masked).
  const { json: list } = await get('/api/redrives?limit=5', viewer);
  expect((list as unknown as Record<string, unknown>[])[0]).toMatchObject({
    redriveId: id,
    state: 'stopped',
    actor: 'ops@example.com',
    progress: { sent },
  });
});
