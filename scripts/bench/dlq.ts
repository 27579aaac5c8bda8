/**
 * npm run bench:dlq [-- --letters 100000] [-- --body-kb 50] — the dead-letter console through the local cloud
 * (ElasticMQ, DynamoDB Local), on DLQs of its own (made for the run and deleted after it):
 *
 * Scale: `--letters` dead letters (default 10,000) of `--body-kb` KB bodies (default 50) in ten failure groups,
 *   indexed as the indexer does (eight writers at once), for a DLQ that holds them: the first page (50) of every view
 *   (everything, each group, a destination, a type, older and newer than 30 minutes, a reason's words), five times
 *   each: p95; the groups of them all; a redrive's plan of them all; the peak memory of the process that does it
 *   (a child, its heap capped at --heap-mb, 192: what a 256 MB function leaves Node).
 * Redrive (5,000 dead letters, 2 KB bodies, really in the DLQ: the SQS emulator holds them in its heap):
 *   (a) put in the DLQ as consumers leave them, then indexed by the sweeper: messages/s;
 *   (b) inspection: every dead letter listed a page at a time, masked, three times: messages/s;
 *   (c) a redrive of all of them (a canary of 5 watched for 1 s, then the rest with 4 workers, unthrottled):
 *       messages/s after the canary's watch, and overall;
 *   (d) what reached the source queue, received and counted: lost (never arrived) and duplicated (arrived twice).
 *
 * Goals (issues 16, 29): first page of any view p95 <= 500 ms, grouping <= 2 s, redrive >= 500 messages/s (AWS's own
 * move task's maximum), peak memory <= 256 MB, lost = duplicates = 0. The export to S3 is not built yet: export_s
 * is null. Last line: one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ATTRIBUTE, awsClientSettings, awsEnvironmentSchema, createSqsClient, loadConfig } from '@backbone/shared';
import { registrationCompletedV1 } from '@backbone/marketing-events/contracts';
import { formatTable } from '@backbone/shared/local';
import { sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import {
  indexedLetters,
  localConsoleEnvironment,
  positionOf,
  openConsoleStores,
  openDeadLetterConsole,
  rolesFrom,
  sweepDeadLetters,
} from '@backbone/dlq-console/local';
import type { DeadLetter, DeadLetterFilter, DeadLetterView } from '@backbone/dlq-console/local';
import { up } from '../cloud';
import { provision } from '../provision';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { findService } from '../local-cloud/services';

const option = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} takes a number (got ${process.argv[at + 1]})`);
  return value;
};
const MESSAGES = Number(process.env['BENCH_DLQ_MESSAGES'] ?? 5_000);
const LETTERS = option('letters', 10_000);
const BODY_KB = option('body-kb', 50);
/** The console's work runs with its heap capped at this (--heap-mb): what a 256 MB function gives Node. */
const HEAP_MB = option('heap-mb', 192);
const SOURCE = 'dlq-bench-local-source';
const DLQ = `${SOURCE}-dlq`;

async function createQueues(
  sqs: SQSClient,
  source = SOURCE,
  dlq = DLQ,
): Promise<{ sourceUrl: string; dlqUrl: string }> {
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: dlq }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const { QueueUrl: sourceUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: source,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes.QueueArn, maxReceiveCount: 5 }) },
    }),
  );
  return { sourceUrl: sourceUrl!, dlqUrl: dlqUrl! };
}

/** The run's dead letters, as the DLQ sink leaves them: the event, its envelope attributes, the failure. */
async function fill(sqs: SQSClient, dlqUrl: string, run: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let start = (next += 10) - 10; start < MESSAGES; start = (next += 10) - 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: Array.from({ length: Math.min(10, MESSAGES - start) }, (_, k) => {
            const i = start + k;
            const sample = sampleMarketingEvent(run, i * 5);
            const envelope = registrationCompletedV1.create(sample.data, { id: `bench:${run}:${i}` });
            const string = (StringValue: string) => ({ DataType: 'String', StringValue });
            return {
              Id: String(k),
              MessageBody: JSON.stringify(envelope),
              MessageAttributes: {
                [ATTRIBUTE.type]: string('RegistrationCompleted'),
                [ATTRIBUTE.version]: { DataType: 'Number', StringValue: '1' },
                [ATTRIBUTE.failureReason]: string(
                  `PermanentError: meta answered 400 (code 100): invalid phone for ref ${i.toString(16).padStart(12, '0')}`,
                ),
                [ATTRIBUTE.failureKind]: string('permanent'),
                [ATTRIBUTE.failedAt]: string(new Date().toISOString()),
                [ATTRIBUTE.failureSource]: string(`arn:aws:sqs:eu-west-1:000000000000:${SOURCE}`),
                [ATTRIBUTE.failureReceiveCount]: { DataType: 'Number', StringValue: '1' },
                [ATTRIBUTE.failureMessageId]: string(randomUUID()),
                // As the dispatcher records a refusal: the platform it failed at, as data.
                [ATTRIBUTE.failureDestinations]: string('meta'),
              },
            };
          }),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Everything in the source queue, received and deleted: each run message's number and how often it came. */
async function drain(sqs: SQSClient, sourceUrl: string, run: string): Promise<Map<string, number>> {
  const arrived = new Map<string, number>();
  let empty = 0;
  const worker = async () => {
    while (empty < 3) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: sourceUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (Messages.length === 0) {
        empty++;
        continue;
      }
      empty = 0;
      for (const message of Messages) {
        const id = (JSON.parse(message.Body!) as { id: string }).id;
        if (id.startsWith(`bench:${run}:`)) arrived.set(id, (arrived.get(id) ?? 0) + 1);
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: sourceUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return arrived;
}

/** Ten failure groups: five causes at each of two platforms. */
const CAUSES = [
  'invalid phone for ref',
  'invalid email for ref',
  'event time too old for ref',
  'missing consent for ref',
  'unknown currency for ref',
];

/** A dead letter of the scale DLQ: number i of `count`, failed within the last two hours, a body of BODY_KB. */
function scaleLetter(dlq: string, run: string, i: number, count: number, padding: string): DeadLetter {
  const destination = i % 2 === 0 ? 'meta' : 'ga4';
  const reason = `${destination} answered 400: ${CAUSES[Math.floor(i / 2) % CAUSES.length]} ${i.toString(16).padStart(12, '0')}`;
  const sample = sampleMarketingEvent(run, i * 5);
  const envelope = registrationCompletedV1.create(sample.data, { id: `bench:${run}:scale:${i}` });
  return {
    dlq,
    messageId: randomUUID(),
    sourceQueue: `${SCALE_PREFIX}source`,
    kind: 'permanent',
    reason,
    destinations: [{ destination, code: '400', message: reason }],
    failedAt: new Date(Date.now() - Math.floor(((count - i) / count) * 2 * 3_600_000)).toISOString(),
    receiveCount: 1,
    originalMessageId: randomUUID(),
    messageType: 'RegistrationCompleted',
    messageVersion: 1,
    // The event, then padding up to the size: what a large event costs the index and the masking.
    body: JSON.stringify({ ...envelope, padding }),
    attributes: {},
    indexedBy: 'consumer',
  };
}

const SCALE_PREFIX = 'dlq-bench-local-scale-';

interface ScaleFigures {
  index_mps: number;
  page_ms_p95: number;
  group_ms: number;
  plan_ms: number;
  peak_rss_mb: number;
  base_rss_mb: number;
  groups: number;
}

/** The console over LETTERS dead letters in one DLQ: see the header. */
async function scale(sqs: SQSClient, run: string): Promise<ScaleFigures> {
  const source = `${SCALE_PREFIX}source`;
  const dlq = `${SCALE_PREFIX}${run}-dlq`;
  const { sourceUrl, dlqUrl } = await createQueues(sqs, source, dlq);
  const env = { ...localConsoleEnvironment(), QUEUE_PREFIXES: SCALE_PREFIX };
  const { index } = openConsoleStores(env);
  const padding = 'x'.repeat(BODY_KB * 1024);
  try {
    const began = performance.now();
    let next = 0;
    let done = 0;
    const writer = async () => {
      for (let start = (next += 200) - 200; start < LETTERS; start = (next += 200) - 200) {
        const batch = Array.from({ length: Math.min(200, LETTERS - start) }, (_, k) =>
          scaleLetter(dlq, run, start + k, LETTERS, padding),
        );
        await index.put(batch);
        done += batch.length;
        if (done % 10_000 < 200)
          console.log(`    indexed ${done.toLocaleString('en')} of ${LETTERS.toLocaleString('en')}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    const indexSeconds = (performance.now() - began) / 1000;
    console.log(
      `scale: ${LETTERS.toLocaleString('en')} dead letters of ${BODY_KB} KB indexed in ${indexSeconds.toFixed(1)} s`,
    );

    // The console's work in a process of its own, so that its peak memory is the console's, not the writers'.
    const child = spawnSync(
      process.execPath,
      [
        // The heap a 256 MB function leaves Node (its old space capped below the memory): the work must fit in it.
        `--max-old-space-size=${HEAP_MB}`,
        ...process.execArgv,
        __filename,
        '--views',
        dlq,
        '--letters',
        String(LETTERS),
      ],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        env: process.env,
      },
    );
    process.stdout.write(child.stdout.split('\n').slice(0, -2).join('\n') + '\n');
    if (child.status !== 0) throw new Error(`the console's views failed (exit ${child.status})`);
    const views = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Omit<ScaleFigures, 'index_mps'>;
    return { index_mps: Math.round(LETTERS / indexSeconds), ...views };
  } finally {
    console.log('scale: removing the index entries ...');
    for (let page = await index.page(dlq, {}, 500); page.letters.length > 0; page = await index.page(dlq, {}, 500))
      await index.remove(
        dlq,
        page.letters.map((l) => l.messageId),
      );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: sourceUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
  }
}

/** The console's views over the scale DLQ (run in a child process: see scale). Last line: its figures as JSON. */
async function viewsOf(dlq: string): Promise<void> {
  applyLocalEnvironment();
  const env = { ...localConsoleEnvironment(), QUEUE_PREFIXES: SCALE_PREFIX };
  const console_ = openDeadLetterConsole(env);
  const actor = { name: 'bench', roles: rolesFrom(['dlq:read', 'dlq:redrive']) };
  let began: number;
  // What this process holds before any work (Node, tsx, the console's modules and clients): the work's own is above.
  const baseRss = process.memoryUsage().rss;
  const groups = await console_.groups(actor, dlq);
  const views: [string, DeadLetterFilter][] = [
    ['everything', {}],
    ...groups.map((g): [string, DeadLetterFilter] => [`group ${g.id}`, { group: g.id }]),
    ['destination ga4', { destination: 'ga4' }],
    ['type RegistrationCompleted', { messageType: 'RegistrationCompleted' }],
    ['older than 30 min', { olderThanMs: 30 * 60_000 }],
    ['newer than 30 min', { newerThanMs: 30 * 60_000 }],
    ['reason "consent"', { reason: 'consent' }],
  ];
  const pageMs: number[] = [];
  for (let round = 0; round < 5; round++)
    for (const [, filter] of views) {
      began = performance.now();
      const page = await console_.messages(actor, dlq, filter, { limit: 50 });
      pageMs.push(performance.now() - began);
      if (page.length !== 50) throw new Error(`a first page of ${JSON.stringify(filter)} had ${page.length} letters`);
    }
  pageMs.sort((a, b) => a - b);
  const p95 = pageMs[Math.ceil(pageMs.length * 0.95) - 1]!;
  console.log(
    `scale: first pages of ${views.length} views x 5: median ${pageMs[Math.floor(pageMs.length / 2)]!.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms`,
  );
  const groupMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    began = performance.now();
    const counted = await console_.groups(actor, dlq);
    groupMs.push(performance.now() - began);
    const total = counted.reduce((n, g) => n + g.count, 0);
    if (total !== LETTERS) throw new Error(`the groups count ${total} of ${LETTERS}`);
  }
  groupMs.sort((a, b) => a - b);
  console.log(
    `scale: ${groups.length} groups of ${LETTERS.toLocaleString('en')} in ${groupMs[1]!.toFixed(0)} ms (median of 3)`,
  );
  began = performance.now();
  const plan = await console_.plan(actor, dlq);
  const planMs = performance.now() - began;
  if (plan.selected !== LETTERS) throw new Error(`the plan selected ${plan.selected} of ${LETTERS}`);
  console.log(`scale: a redrive plan of all ${LETTERS.toLocaleString('en')} in ${(planMs / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      page_ms_p95: Math.round(p95),
      group_ms: Math.round(groupMs[1]!),
      plan_ms: Math.round(planMs),
      // The process's largest resident set, as the kernel counted it (KiB).
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      base_rss_mb: Math.round(baseRss / 2 ** 20),
      groups: groups.length,
    }),
  );
}

async function main(): Promise<void> {
  applyLocalEnvironment();
  console.log(
    `dlq benchmark: Node ${process.version}; scale: ${LETTERS.toLocaleString('en')} dead letters of ${BODY_KB} KB; ` +
      `redrive: ${MESSAGES.toLocaleString('en')}\n`,
  );
  await up();
  // The console reads marketing-events' delivery ledger (a dry run, a redrive's duplicate check): provisioned too,
  // so that a fresh local cloud is enough.
  await provision('local', [findService('marketing-events'), findService('dlq-console')]);
  const sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  // The bench's own queues only (the console serves the project's by default).
  const env = { ...localConsoleEnvironment(), QUEUE_PREFIXES: 'dlq-bench-local-' };
  const stores = openConsoleStores(env);
  const console_ = openDeadLetterConsole(env);
  const actor = { name: 'bench', roles: rolesFrom(['dlq:read', 'dlq:redrive']) };
  const run = randomUUID().slice(0, 8);
  const figures = await scale(sqs, run);
  const { sourceUrl, dlqUrl } = await createQueues(sqs);
  try {
    let began = performance.now();
    await fill(sqs, dlqUrl, run);
    console.log(`  ${MESSAGES} dead letters in ${DLQ} in ${((performance.now() - began) / 1000).toFixed(1)} s`);

    began = performance.now();
    const swept = (await sweepDeadLetters(stores.queues, stores.index)).find((r) => r.dlq === DLQ)!;
    const sweepSeconds = (performance.now() - began) / 1000;
    console.log(`(a) swept into the index: ${swept.added} in ${sweepSeconds.toFixed(1)} s`);

    const inspections: number[] = [];
    for (let i = 0; i < 3; i++) {
      began = performance.now();
      const shown: DeadLetterView[] = [];
      for (let after: string | undefined; ;) {
        const page = await console_.messages(actor, DLQ, {}, { limit: 500, ...(after ? { after } : {}) });
        shown.push(...page);
        if (page.length < 500) break;
        after = positionOf(page.at(-1)!);
      }
      const seconds = (performance.now() - began) / 1000;
      if (shown.length !== MESSAGES) throw new Error(`the console showed ${shown.length} of ${MESSAGES}`);
      if (shown.some((m) => /@example\.com/i.test(m.body ?? ''))) throw new Error('an email was shown unmasked');
      inspections.push(MESSAGES / seconds);
      console.log(
        `(b) inspected, masked: ${MESSAGES} in ${seconds.toFixed(2)} s (${(MESSAGES / seconds).toFixed(0)}/s)`,
      );
    }
    const inspectMps = inspections.sort((a, b) => a - b)[1]!;
    const groups = await console_.groups(actor, DLQ);

    const plan = await console_.plan(actor, DLQ);
    const watchMs = 1_000;
    let afterCanary = 0;
    let reported = 0;
    began = performance.now();
    const outcome = await console_.redrive(
      actor,
      plan,
      { redriveId: randomUUID(), canary: 5, canaryWatchMs: watchMs, messagesPerSecond: 100_000 },
      (p) => {
        if (p.stage === 'rest' && afterCanary === 0) afterCanary = performance.now();
        if (Math.floor(p.sent / 1_000) > reported) {
          reported = Math.floor(p.sent / 1_000);
          console.log(`    redriven ${p.sent} of ${p.total}`);
        }
      },
    );
    const totalSeconds = (performance.now() - began) / 1000;
    const restSeconds = (performance.now() - (afterCanary || began)) / 1000;
    const redriveMps = (outcome.sent - 5) / restSeconds;
    console.log(
      `(c) redriven: ${outcome.sent} in ${totalSeconds.toFixed(1)} s (${(outcome.sent / totalSeconds).toFixed(0)}/s ` +
        `overall, ${redriveMps.toFixed(0)}/s after the canary's ${watchMs} ms watch); ${outcome.stage}`,
    );

    const arrived = await drain(sqs, sourceUrl, run);
    const lost = MESSAGES - arrived.size;
    const duplicates = [...arrived.values()].reduce((n, times) => n + times - 1, 0);
    console.log(`(d) in the source queue: ${arrived.size} distinct, ${lost} lost, ${duplicates} duplicated\n`);

    for (const line of formatTable([
      ['measure', 'value', 'goal'],
      [`indexing ${LETTERS} letters of ${BODY_KB} KB, letters/s`, String(figures.index_mps), ''],
      ['first page of a view, p95 ms', String(figures.page_ms_p95), '<= 500'],
      [`grouping ${LETTERS}, ms`, String(figures.group_ms), '<= 2,000'],
      [`a redrive plan of ${LETTERS}, ms`, String(figures.plan_ms), ''],
      ['peak memory of the console work (its process), MB', String(figures.peak_rss_mb), '<= 256'],
      ['  of which before any work (Node, tsx, modules), MB', String(figures.base_rss_mb), ''],
      ['export to S3, s', 'not built yet', ''],
      ['sweep into the index, messages/s', (swept.added / sweepSeconds).toFixed(0), ''],
      ['inspection (index read, masked), messages/s', inspectMps.toFixed(0), '>= 1,000'],
      ['groups', String(groups.length), ''],
      ['redrive after the canary, messages/s', redriveMps.toFixed(0), '>= 500'],
      ['redrive overall (canary watch included), messages/s', (outcome.sent / totalSeconds).toFixed(0), ''],
      ['lost', String(lost), '0'],
      ['duplicated', String(duplicates), '0'],
    ]))
      console.log(line);
    console.log(
      JSON.stringify({
        bench: 'dlq',
        letters: LETTERS,
        body_kb: BODY_KB,
        page_ms_p95: figures.page_ms_p95,
        group_ms: figures.group_ms,
        plan_ms: figures.plan_ms,
        export_s: null,
        peak_rss_mb: figures.peak_rss_mb,
        base_rss_mb: figures.base_rss_mb,
        index_mps: figures.index_mps,
        redrive_mps: Math.round(redriveMps),
        inspect_mps: Math.round(inspectMps),
        lost,
        duplicates,
        messages: MESSAGES,
        sweep_mps: Math.round(swept.added / sweepSeconds),
        redrive_overall_mps: Math.round(outcome.sent / totalSeconds),
      }),
    );
    if (lost > 0 || duplicates > 0 || outcome.stage !== 'done') process.exitCode = 1;
  } finally {
    await stores.index.remove(
      DLQ,
      (await indexedLetters(stores.index, DLQ)).map((l) => l.messageId),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: sourceUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    sqs.destroy();
  }
}

const viewsAt = process.argv.indexOf('--views');
(viewsAt >= 0 ? viewsOf(process.argv[viewsAt + 1]!) : main()).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
