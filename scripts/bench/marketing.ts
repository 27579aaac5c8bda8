/**
 * npm run bench:marketing — how fast marketing-events delivers, against the emulator it runs on.
 *
 * (a) dispatch: the dispatcher's handler in process (contract check, mapping, Meta's hashing, batching,
 *     ledger look-ups, partial batch response), with in-memory platforms and ledger: events/s on one core.
 * (b) e2e: publishMarketingEvents -> ElasticMQ -> the dispatcher in serverless-offline -> the sandbox,
 *     events/s and the publish-to-delivered latency (delivered = at every platform the event is routed to).
 * (c) sqs_raw: ElasticMQ's own receive+delete throughput, polled as the local event source mapping polls
 *     (five pollers, 10 per receive, batch delete), measured before and after (b) in the same run.
 * (d) canonical: the publisher's own work per event (its contract check and the customer's identifiers made
 *     canonical), for customers written as our markets write them, and the share of each identifier it could keep.
 *
 * Brings up the local cloud if needed (as npm start does). Last line: one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import {
  countsFor,
  matchKeyCoverage,
  createInMemoryDispatcher,
  expectedDelivery,
  MARKETING_PLATFORMS,
  sandboxClient,
  startMarketingSandbox,
  type MarketingSandbox,
} from '@backbone/marketing-events/local';
import { awsClientSettings, awsEnvironmentSchema, createSqsClient, loadConfig } from '@backbone/shared';
import {
  createMarketingEvent,
  OPTIONAL_IDENTIFIERS,
  prepareMarketingEvent,
  publishMarketingEvents,
  type MarketingEventInput,
} from '@backbone/marketing-events/contracts';
import { lambdaContext, toSqsRecord } from '@backbone/shared/testing';
import { CUSTOMERS_AS_WRITTEN, sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import { printTable } from '@backbone/shared/local';
import { down, up } from '../cloud';
import { readPid } from '../local-cloud/processes';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { startServices, type OfflineFleet } from '../local-cloud/offline';
import { findService } from '../local-cloud/services';
import { provision } from '../provision';
import { startCpuBudget, startStealMeasure, totalCpuSeconds, type CpuBudget, type CpuProcess } from './cpu-budget';

const DISPATCH_EVENTS = Number(process.env.BENCH_DISPATCH_EVENTS ?? 20_000);
const E2E_EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 5_000);
const E2E_WARM_UP_EVENTS = 1_000;
const RAW_MESSAGES = Number(process.env.BENCH_RAW_MESSAGES ?? 5_000);
const CANONICAL_EVENTS = Number(process.env.BENCH_CANONICAL_EVENTS ?? 20_000);
const ROUNDS = 5;
/** As the local event source mapping polls (serverless.common.yml offlineSqs.pollers), like Lambda's five. */
const POLLERS = 5;
const SERVICE = 'marketing-events';
const QUEUE = 'marketing-events-local-events';
const DISPATCHER_COMPONENT = 'dispatcher (serverless-offline)';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const sampleEvents = (run: string, count: number): MarketingEventInput[] =>
  Array.from({ length: count }, (_, i) => sampleMarketingEvent(run, i));

/** (a) The Lambda's handler with in-memory platforms: everything but the network. */
export async function benchDispatch(): Promise<{ eps: number; min: number; max: number; stolen?: number }> {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const records: SQSRecord[] = sampleEvents('dispatch', DISPATCH_EVENTS).map((event) => {
    const envelope = createMarketingEvent(event);
    return toSqsRecord(
      {
        MessageId: randomUUID(),
        ReceiptHandle: randomUUID(),
        Body: JSON.stringify(envelope),
        Attributes: { ApproximateReceiveCount: '1' },
      },
      'arn:aws:sqs:eu-west-1:000000000000:bench',
    );
  });
  const run = async (): Promise<number> => {
    const handler = createInMemoryDispatcher();
    const context = lambdaContext();
    const started = performance.now();
    for (let i = 0; i < records.length; i += 100) {
      const response = await handler({ Records: records.slice(i, i + 100) }, context);
      if (response.batchItemFailures.length > 0) throw new Error('a record failed in the dispatch benchmark');
    }
    return records.length / ((performance.now() - started) / 1000);
  };
  await run(); // warm-up
  const rounds: number[] = [];
  const stealing = startStealMeasure();
  for (let round = 1; round <= ROUNDS; round++) {
    rounds.push(await run());
    process.stderr.write(`  dispatch: round ${round}/${ROUNDS} done\n`);
  }
  return { eps: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), stolen: stealing() };
}

/**
 * (d) The publisher's side, in process: prepareMarketingEvent (the contract check, the customer's identifiers made
 * canonical) for events whose customers are written as CUSTOMERS_AS_WRITTEN, microseconds per event; and, per
 * identifier, the share of the customers who gave one that it could keep (the match keys the platforms will get).
 */
export function benchCanonical(): { usPerEvent: number; min: number; max: number; kept: Record<string, number> } {
  const events = sampleEvents('canonical', CANONICAL_EVENTS).map((event, i) => ({
    ...event,
    data: {
      ...event.data,
      customer: {
        customerId: event.data.customer.customerId,
        ...CUSTOMERS_AS_WRITTEN[i % CUSTOMERS_AS_WRITTEN.length],
      },
    },
  })) as MarketingEventInput[];
  const now = new Date();
  const run = (): number => {
    const started = performance.now();
    for (const event of events) prepareMarketingEvent(event, { now });
    return ((performance.now() - started) * 1000) / events.length;
  };
  run(); // warm-up
  const rounds = Array.from({ length: ROUNDS }, run);
  const kept: Record<string, number> = {};
  for (const field of OPTIONAL_IDENTIFIERS) {
    const given = CUSTOMERS_AS_WRITTEN.filter((customer) => customer[field] !== undefined);
    if (given.length === 0) continue;
    const read = given.filter((customer) => {
      const event = { ...events[0]!, data: { ...events[0]!.data, customer: { customerId: 'c', ...customer } } };
      return (prepareMarketingEvent(event as MarketingEventInput, { now }).envelope.data.customer as never)[field];
    });
    kept[field] = read.length / given.length;
  }
  return { usPerEvent: median(rounds), min: Math.min(...rounds), max: Math.max(...rounds), kept };
}

/** (c) ElasticMQ receive+delete, five pollers, 10 per receive, as the local event source mapping does it. */
async function benchRaw(
  sqs: SQSClient,
  messages = RAW_MESSAGES,
  processes: readonly CpuProcess[] = [],
): Promise<{ eps: number; cpu: CpuBudget }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `bench-raw-${randomUUID().slice(0, 8)}` }));
  try {
    const batches = Array.from({ length: Math.ceil(messages / 10) }, (_, b) => b);
    for (let i = 0; i < batches.length; i += 8) {
      await Promise.all(
        batches.slice(i, i + 8).map((b) =>
          sqs.send(
            new SendMessageBatchCommand({
              QueueUrl,
              Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `{"n":${b * 10 + j}}` })),
            }),
          ),
        ),
      );
    }
    let consumed = 0;
    const started = performance.now();
    const stopBudget = startCpuBudget(processes);
    const poller = async (): Promise<void> => {
      while (consumed < messages) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) continue;
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
        consumed += Messages.length;
      }
    };
    await Promise.all(Array.from({ length: POLLERS }, poller));
    const cpu = stopBudget();
    return { eps: consumed / ((performance.now() - started) / 1000), cpu };
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  }
}

async function deadLetterCount(sqs: SQSClient): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: (await sqs.send(new GetQueueUrlCommand({ QueueName: `${QUEUE}-dlq` }))).QueueUrl!,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/** (b) Publish -> queue -> dispatcher in serverless-offline -> sandbox. */
async function benchEndToEnd(
  sqs: SQSClient,
  sandbox: MarketingSandbox,
  processes: readonly CpuProcess[],
  count = E2E_EVENTS,
  label = 'e2e',
) {
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  const control = sandboxClient(sandbox.url);
  await control.reset();
  const before = await control.received();
  const events = sampleEvents(`${label}-${randomUUID().slice(0, 8)}`, count);
  const expected = events.map((event) => ({ ...expectedDelivery(event), publishedAt: 0 }));
  const started = Date.now();
  const stopBudget = startCpuBudget(processes);
  // Published in slices, as backends would over a few seconds; each event's clock starts with its slice.
  let publishedAll = 0;
  const publishing = (async () => {
    for (let i = 0; i < events.length; i += 250) {
      const at = Date.now();
      for (let j = i; j < Math.min(i + 250, events.length); j++) expected[j]!.publishedAt = at;
      const results = await publishMarketingEvents({ sqs, queueUrl }, events.slice(i, i + 250), { concurrency: 8 });
      if (results.some((r) => r.status !== 'sent')) throw new Error('publishing failed during the benchmark');
    }
    publishedAll = Date.now();
  })();
  let arrivals: Awaited<ReturnType<typeof control.arrivals>> | undefined;
  const deadline = Date.now() + 300_000;
  let delivered = 0;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    arrivals = await control.arrivals();
    delivered = expected.filter((e) => e.platforms.every((p) => arrivals![p]?.[e.id] !== undefined)).length;
    process.stderr.write(`\r  ${label}: ${delivered}/${count} delivered to every platform   `);
    if (delivered === count) break;
  }
  const cpu = stopBudget();
  process.stderr.write('\n');
  await publishing;
  const latencies = expected
    .filter((e) => e.platforms.every((p) => arrivals![p]?.[e.id] !== undefined))
    .map((e) => Math.max(...e.platforms.map((p) => arrivals![p]?.[e.id] ?? 0)) - e.publishedAt)
    .sort((a, b) => a - b);
  const finished = Math.max(...expected.flatMap((e) => e.platforms.map((p) => arrivals![p]?.[e.id] ?? 0)));
  const received = await control.received();
  return {
    eps: delivered / ((finished - started) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    lost: count - delivered,
    duplicates: MARKETING_PLATFORMS.reduce((sum, p) => sum + countsFor(received, p).duplicates, 0),
    publishSeconds: (publishedAll - started) / 1000,
    cpu,
    coverage: matchKeyCoverage(before, received, MARKETING_PLATFORMS).lines,
  };
}

/**
 * CPU milliseconds per event by component, for raw and end to end, and what the end-to-end path would
 * reach on these cores if the dispatcher itself cost nothing: the share the code under test can move.
 */
function printCpuBudget(raw: CpuBudget[], rawEvents: number, e2e: CpuBudget, e2eEvents: number, rawEps: number): void {
  if (e2e.seconds.size === 0) return; // not Linux: no /proc
  const perEvent = (seconds: number, events: number): string => ((seconds * 1000) / events).toFixed(2);
  const rawSeconds = (component: string): number => raw.reduce((sum, b) => sum + (b.seconds.get(component) ?? 0), 0);
  const rawTotal = raw.reduce((sum, b) => sum + totalCpuSeconds(b), 0);
  const rawWall = raw.reduce((sum, b) => sum + b.wallSeconds, 0);
  const e2eTotal = totalCpuSeconds(e2e);
  console.log('\nCPU per event (ms of CPU, all threads), by component:');
  printTable([
    ...[...e2e.seconds.keys()].map((component) => ({
      component,
      raw: perEvent(rawSeconds(component), rawEvents * raw.length),
      e2e: perEvent(e2e.seconds.get(component) ?? 0, e2eEvents),
    })),
    { component: 'total', raw: perEvent(rawTotal, rawEvents * raw.length), e2e: perEvent(e2eTotal, e2eEvents) },
    {
      component: 'cores busy (total CPU / wall)',
      raw: (rawTotal / rawWall).toFixed(2),
      e2e: (e2eTotal / e2e.wallSeconds).toFixed(2),
    },
  ]);
  const cores = availableParallelism();
  const withoutDispatcher = (e2eTotal - (e2e.seconds.get(DISPATCHER_COMPONENT) ?? 0)) / e2eEvents;
  const ceiling = cores / withoutDispatcher;
  console.log(
    `without the dispatcher's own CPU, the rest of the end-to-end path costs ${(withoutDispatcher * 1000).toFixed(2)} ms per event: ` +
      `${cores} fully busy cores would carry at most ${ceiling.toFixed(0)} events/s = ${(ceiling / rawEps).toFixed(2)} of raw`,
  );
}

async function main(): Promise<void> {
  applyLocalEnvironment();
  console.log(`marketing benchmark: Node ${process.version}\n`);
  const dispatch = await benchDispatch();
  const dispatchEps = dispatch.eps;
  const canonical = benchCanonical();

  const startedComponents = await up();
  let fleet: OfflineFleet | undefined;
  let sandbox: MarketingSandbox | undefined;
  const sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  try {
    await provision('local', [findService(SERVICE)]);
    sandbox = await startMarketingSandbox();
    fleet = await startServices([SERVICE], { output: 'file' });
    // A cold emulator's JVM is slow for its first thousands of requests: warm it before measuring.
    await benchRaw(sqs, 2_000);
    const processes: CpuProcess[] = [
      { component: 'ElasticMQ', pid: readPid('elasticmq') },
      { component: 'DynamoDB Local', pid: readPid('dynamodb') },
      { component: 'gateway (port 4566)', pid: readPid('gateway') },
      { component: DISPATCHER_COMPONENT, pid: fleet.services[0]?.process.pid },
      { component: 'this process (client/publisher, sandbox)', pid: process.pid },
    ];
    // What earlier runs (a test, the demo) left in the DLQ is not this run's.
    const deadLetteredBefore = await deadLetterCount(sqs);
    // Likewise the dispatcher: its first invocations start the function's workers (a cold start each).
    await benchEndToEnd(sqs, sandbox, processes, E2E_WARM_UP_EVENTS, 'warm-up');
    const rawBefore = await benchRaw(sqs, RAW_MESSAGES, processes);
    const e2e = await benchEndToEnd(sqs, sandbox, processes);
    const rawAfter = await benchRaw(sqs, RAW_MESSAGES, processes);
    const raw = (rawBefore.eps + rawAfter.eps) / 2;
    const deadLettered = (await deadLetterCount(sqs)) - deadLetteredBefore;

    console.log('');
    printTable([
      {
        measure: 'dispatch, in process (in-memory platforms)',
        'events/s': dispatch.eps.toFixed(0),
        note:
          `${DISPATCH_EVENTS} events, batches of 100, median of ${ROUNDS} (${dispatch.min.toFixed(0)}-${dispatch.max.toFixed(0)})` +
          (dispatch.stolen === undefined
            ? ''
            : `; ${(dispatch.stolen * 100).toFixed(0)} % of the CPU taken by the hypervisor`),
      },
      {
        measure: 'publisher: contract and identifiers made canonical (us per event)',
        'events/s': (1e6 / canonical.usPerEvent).toFixed(0),
        note: `${canonical.usPerEvent.toFixed(1)} us per event, median of ${ROUNDS} (${canonical.min.toFixed(1)}-${canonical.max.toFixed(1)}); kept: ${Object.entries(
          canonical.kept,
        )
          .map(([field, share]) => `${field} ${(share * 100).toFixed(0)} %`)
          .join(', ')}`,
      },
      {
        measure: 'end to end, local cloud -> sandbox',
        'events/s': e2e.eps.toFixed(0),
        note: `${E2E_EVENTS} events (published in ${e2e.publishSeconds.toFixed(1)} s); p50 ${e2e.p50} ms, p99 ${e2e.p99} ms`,
      },
      {
        measure: `ElasticMQ receive+delete, ${POLLERS} pollers`,
        'events/s': raw.toFixed(0),
        note: `before ${rawBefore.eps.toFixed(0)}, after ${rawAfter.eps.toFixed(0)}`,
      },
    ]);
    printCpuBudget([rawBefore.cpu, rawAfter.cpu], RAW_MESSAGES, e2e.cpu, E2E_EVENTS, raw);
    console.log('\nmatch-key coverage end to end (share of the events each platform received that carried it):');
    for (const line of e2e.coverage) console.log(line);
    console.log(
      `\nratios: e2e/raw ${(e2e.eps / raw).toFixed(2)} (goal >= 0.8); dispatch ${dispatchEps.toFixed(0)} events/s (goal >= 20,000); lost ${e2e.lost}, duplicates ${e2e.duplicates}, dead-lettered ${deadLettered}`,
    );
    console.log(
      JSON.stringify({
        bench: 'marketing',
        dispatch_eps: Math.round(dispatchEps),
        canonical_us: Number(canonical.usPerEvent.toFixed(1)),
        phones_kept: Number(canonical.kept.phone!.toFixed(2)),
        e2e_eps: Math.round(e2e.eps),
        sqs_raw_eps: Math.round(raw),
        p50_ms: e2e.p50,
        p99_ms: e2e.p99,
        lost: e2e.lost,
        duplicates: e2e.duplicates,
      }),
    );
  } finally {
    sqs.destroy();
    await fleet?.stop();
    await sandbox?.close();
    if (startedComponents.length > 0) await down(startedComponents);
  }
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench:marketing: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
