/**
 * The dead-letter console against the local cloud: marketing events that Meta (the sandbox) refuses are
 * dead-lettered by the dispatcher in serverless-offline, which tells the console; the console's indexer (also in
 * serverless-offline) indexes them. Then: inspected repeatedly without touching the DLQ, grouped, dry-run,
 * redriven in part once Meta is fixed (exactly those delivered, once), a redrive that fails again stops itself, and
 * two redrives at once never both send.
 */
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { publishMarketingEvents } from '@backbone/marketing-events/contracts';
import { waitFor, waitForQueueDrained } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import { countsFor, expectedDelivery } from '@backbone/marketing-events/local';
import { rolesFrom, type Actor } from '@backbone/dlq-console/local';
import {
  console_,
  DLQ,
  emptyMarketingQueues,
  META_REFUSES,
  metaCounts,
  queueCounts,
  QUEUE,
  sandbox,
  lettersOfRun,
  newestAudited,
  runFilter,
} from './dead-letter-console-support';

const EVENTS = 60;
/** A marketing ops person who may look and redrive (not edit, unmask, export or purge). */
const ops: Actor = { name: 'ops@test', roles: rolesFrom(['dlq:read', 'dlq:redrive']) };
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
const run = randomUUID().slice(0, 8);

/** The DLQ's counts as SQS keeps them: waiting, and received but not deleted. */
const dlqCounts = () => queueCounts(sqs, dlqUrl);

/** The refused events, as the index shows them once everything has settled: made once, before any test. */
let dead: Awaited<ReturnType<typeof console_.messages>> = [];
/**
 * The parts of `dead` each changing test takes, so that none depends on what another did (each runs alone with -t,
 * and in any order): the redrive in stages, the redrive that stops itself, the two redrives at once.
 */
const part = {
  stages: () => dead.slice(0, 20),
  stopping: () => dead.slice(20, 34),
  racing: () => dead.slice(34),
};
const idsOf = (letters: readonly { messageId: string }[]) => letters.map((m) => m.messageId);
/** The sample's events Meta takes: each is refused, so each is a dead letter. */
const FOR_META = 48;

beforeAll(async () => {
  ({ sqs, queueUrl, dlqUrl } = await emptyMarketingQueues());
  // Meta refuses everything, for good: each event reaches the DLQ on its first delivery.
  await sandbox.faults(META_REFUSES);
  const events = Array.from({ length: EVENTS }, (_, i) => sampleMarketingEvent(run, i));
  // Every event Meta takes is refused for good; the others (GA4 and the webhook only) are delivered.
  expect(events.filter((event) => expectedDelivery(event).platforms.includes('meta'))).toHaveLength(FOR_META);
  const results = await publishMarketingEvents({ sqs, queueUrl }, events);
  expect(results.filter((r) => r.status !== 'sent')).toEqual([]);
  // Settled: the source queue drained (nothing waiting or in flight), and the index holds what the DLQ holds.
  dead = await waitFor(
    'the source queue drained, and the refused events in the DLQ and in the index',
    async () => {
      const source = await queueCounts(sqs, queueUrl);
      const { waiting, hidden } = await dlqCounts();
      const indexed = await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 });
      const settled = source.waiting === 0 && source.hidden === 0 && hidden === 0;
      return settled && waiting === FOR_META && indexed.length === waiting ? indexed : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );
}, 90_000);

afterAll(async () => {
  await sandbox.reset();
  sqs?.destroy();
});

it('indexes each dead letter from its consumer’s notice, and shows them masked without receiving from the DLQ', async () => {
  expect(dead).toHaveLength(FOR_META);
  expect(new Set(dead.map((m) => m.messageId)).size).toBe(dead.length);
  expect(dead.every((m) => m.indexedBy === 'consumer' && m.kind === 'permanent')).toBe(true);
  // The failure as data: Meta, its HTTP status and Graph code, its words.
  expect(
    dead.every(
      (m) =>
        m.destinations.some((d) => d.destination === 'meta' && /^400\/\d+$/.test(d.code ?? '') && d.message) &&
        m.sourceQueue === QUEUE,
    ),
  ).toBe(true);
  // Masked: the sample events' emails and phones never appear.
  const shown = JSON.stringify(dead);
  expect(shown).not.toMatch(/Customer\.\d+@Example\.com/i);
  expect(shown).not.toContain('7700 9');
  expect(dead[0]!.masked).toEqual(expect.arrayContaining(['data.customer.email', 'data.customer.phone']));

  // Looked at again and again: the DLQ's counts do not move (nothing hidden), the index does not change.
  const before = await dlqCounts();
  for (let i = 0; i < 5; i++) {
    expect((await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 })).length).toBe(dead.length);
    await console_.groups(ops, DLQ);
    await console_.queues(ops);
  }
  expect(await dlqCounts()).toEqual(before);
  expect(before).toEqual({ waiting: dead.length, hidden: 0 });
});

it('lists the DLQ with its source and depth, and groups its dead letters by cause', async () => {
  const queue = (await console_.queues(ops)).find((q) => q.name === DLQ)!;
  expect(queue).toMatchObject({ sources: [QUEUE], depth: dead.length, indexed: dead.length, trend: 'rising' });
  // One cause at one destination, a group per event type: the reason's per-event details normalised away.
  const groups = await console_.groups(ops, DLQ, await runFilter(run));
  const types = new Set(dead.map((m) => m.messageType));
  expect(groups.map((g) => g.messageType).sort()).toEqual([...types].sort());
  expect(groups.reduce((n, g) => n + g.count, 0)).toBe(dead.length);
  for (const group of groups) {
    expect(group).toMatchObject({ destination: 'meta', kinds: ['permanent'] });
    expect(group.reason).toBe(
      'PermanentError: meta answered 400 (code 100): Invalid parameter: user_data.ph is not a valid phone number',
    );
  }
});

it('dry-runs a redrive while Meta still refuses: names every one and why, from Meta’s latest answers; sends nothing; audited', async () => {
  await sandbox.faults(META_REFUSES);
  const began = Date.now();
  const plan = await console_.plan(ops, DLQ, await runFilter(run));
  const result = await console_.dryRun(ops, plan);
  expect(result.wouldPass).toBe(0);
  expect(result.alreadyDelivered.count).toBe(0);
  expect(result.wouldFail).toEqual([
    {
      reason: expect.stringMatching(/^meta still fails this way .*user_data\.ph is not a valid phone number$/),
      count: dead.length,
      sample: expect.any(Array),
    },
  ]);
  expect(result.destinations).toEqual([
    expect.objectContaining({ destination: 'meta', failure: expect.stringMatching(/^meta answered 400 \(code 100\)/) }),
  ]);
  expect(await dlqCounts()).toEqual({ waiting: dead.length, hidden: 0 });
  // Recorded by the audit recorder (serverless-offline, from the audit queue) a moment after.
  const entry = await newestAudited('dry-run', began);
  expect(entry).toMatchObject({
    action: 'dry-run',
    dlq: DLQ,
    count: dead.length,
    outcome: `0 would pass, ${dead.length} would fail again`,
  });
});

it('once Meta takes events again, dry-runs clean and redrives a filtered part in stages: exactly those delivered, once, except one its producer sent again meanwhile (removed, not sent); the rest still there', async () => {
  await sandbox.reset();
  // Meta takes a fresh event: the dispatcher notes the answer, so the dry run knows Meta is back.
  await publishMarketingEvents({ sqs, queueUrl }, [sampleMarketingEvent(`${run}x`, 0)]);
  // One dead event published again by its producer (the same stable id): delivered to Meta now.
  // Its body as sent (the console shows it masked): read by someone allowed to unmask.
  const mine = part.stages();
  const before = await dlqCounts();
  const twin = (await lettersOfRun(run)).find((letter) => letter.messageId === mine[0]!.messageId)!;
  const { data } = JSON.parse(twin.body!) as { data: { customer: { customerId: string } } };
  const twinIndex = Number(/-c(\d+)$/.exec(data.customer.customerId)![1]);
  await publishMarketingEvents({ sqs, queueUrl }, [sampleMarketingEvent(run, twinIndex)]);
  await waitFor(
    'the fresh event and the twin at Meta',
    async () => ((await metaCounts()).unique >= 2 ? true : undefined),
    {
      timeoutMs: 30_000,
    },
  );
  // The dispatcher notes Meta's answer and the twin's delivery in the ledger after Meta has it: the queue empty, in
  // flight included, says both are written.
  await waitForQueueDrained(sqs, queueUrl);
  const dryRun = await console_.dryRun(ops, await console_.plan(ops, DLQ, { ids: idsOf(mine) }));
  expect(dryRun).toMatchObject({
    wouldPass: mine.length - 1,
    wouldFail: [],
    alreadyDelivered: { count: 1, sample: [twin.messageId] },
  });

  await sandbox.reset();
  const plan = await console_.plan(ops, DLQ, { ids: idsOf(mine) });
  expect(plan.selected).toBe(20);
  const stages = new Set<string>();
  const outcome = await console_.redrive(
    ops,
    plan,
    { redriveId: randomUUID(), canary: 5, canaryWatchMs: 3_000, messagesPerSecond: 50 },
    (p) => stages.add(p.stage),
  );
  expect(outcome).toMatchObject({ stage: 'done', sent: 19, alreadyDelivered: 1, failedAgain: 0, notFound: 0 });
  expect([...stages]).toEqual(['canary', 'watching canary', 'rest', 'done']);
  await waitFor('the 19 at Meta', async () => ((await metaCounts()).unique >= 19 ? true : undefined), {
    timeoutMs: 30_000,
  });
  // Nothing more arrives: the marketing queue is empty, in flight included.
  await waitForQueueDrained(sqs, queueUrl);
  expect(await metaCounts()).toMatchObject({ unique: 19, duplicates: 0 });
  // GA4 and the webhook had them already (the ledger): not sent again.
  expect(countsFor(await sandbox.received(), 'ga4').total).toBe(0);
  expect(await dlqCounts()).toEqual({ waiting: before.waiting - 20, hidden: 0 });
  const left = new Set(idsOf(await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 })));
  expect(idsOf(mine).filter((id) => left.has(id))).toEqual([]);
  // (The tests' own unmasked searches are audited too: the redrive's entries are the newest of theirs.)
  const audit = await waitFor('the redrive’s last audit entry', async () => {
    const entries = (await console_.audit(ops, { days: 1, limit: 50 })).filter((e) => e.action === 'redrive');
    return entries[0]?.outcome === 'done' ? entries.slice(0, 2) : undefined;
  });
  expect(audit.map((e) => [e.action, e.outcome, e.count])).toEqual([
    ['redrive', 'done', 19],
    ['redrive', 'started', 20],
  ]);
  expect(audit[0]!.detail).toMatchObject({ sent: 19, alreadyDelivered: 1 });
});

it('stops a redrive by itself when its canary fails again, and leaves the rest in the DLQ', async () => {
  await sandbox.faults(META_REFUSES);
  const before = await dlqCounts();
  const indexedBefore = (await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 })).length;
  const plan = await console_.plan(ops, DLQ, { ids: idsOf(part.stopping()) });
  expect(plan.selected).toBe(14);
  const outcome = await console_.redrive(ops, plan, {
    redriveId: randomUUID(),
    canary: 3,
    canaryWatchMs: 20_000,
  });
  expect(outcome.stage).toBe('stopped');
  // Stopped at the first that came back: the canary and nothing more sent.
  expect(outcome.sent).toBe(3);
  expect(outcome.failedAgain).toBeGreaterThanOrEqual(1);
  expect(outcome.stoppedBecause).toMatch(
    /^[123] of 3 redriven messages failed again \(PermanentError: meta answered 400/,
  );
  // The three came back (under new ids), the others never left: in the DLQ, and in the index once the consumer's
  // notices of the three are indexed (they follow the dead-lettering itself).
  await waitFor('every dead letter back in place', async () => {
    const { waiting, hidden } = await dlqCounts();
    return waiting === before.waiting && hidden === 0 ? true : undefined;
  });
  const indexed = await waitFor('every dead letter back in the index', async () => {
    const listed = await console_.messages(ops, DLQ, await runFilter(run), { limit: 1_000 });
    return listed.length >= indexedBefore ? listed : undefined;
  });
  expect(indexed.length).toBe(indexedBefore);
});

it('lets one of two redrives of the same DLQ at once run; the other is refused, and nothing is sent twice', async () => {
  await sandbox.reset();
  const before = await dlqCounts();
  const plan = await console_.plan(ops, DLQ, { ids: idsOf(part.racing()) });
  expect(plan.selected).toBe(FOR_META - 34);
  const results = await Promise.allSettled(
    [1, 2].map(() => console_.redrive(ops, plan, { redriveId: randomUUID(), canary: 5, canaryWatchMs: 1_000 })),
  );
  const done = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  expect(done).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/another redrive of .* is running/);
  expect((done[0] as PromiseFulfilledResult<{ sent: number }>).value.sent).toBe(plan.selected);
  await waitFor('the rest at Meta', async () => ((await metaCounts()).unique >= plan.selected ? true : undefined), {
    timeoutMs: 30_000,
  });
  await waitForQueueDrained(sqs, queueUrl);
  expect(await metaCounts()).toMatchObject({ unique: plan.selected, duplicates: 0 });
  expect(await dlqCounts()).toEqual({ waiting: before.waiting - plan.selected, hidden: 0 });
});
