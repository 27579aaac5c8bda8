/**
 * npm run bench:dlq — the dead-letter console through the local cloud (ElasticMQ, DynamoDB Local), on a DLQ of its
 * own (dlq-bench-local-source and its DLQ, made for the run and deleted after it):
 *
 * (a) 5,000 dead letters (marketing events, personal data in them) put in the DLQ as consumers leave them, then
 *     indexed by the sweeper (peeking, visibility 0): messages/s;
 * (b) inspection: every dead letter listed through the console library (the index read, each body masked), three
 *     times: messages/s;
 * (c) a redrive of all of them (a canary of 5 watched for 1 s, then the rest with 4 workers, unthrottled): messages/s
 *     after the canary's watch, and overall;
 * (d) what reached the source queue, received and counted: lost (never arrived) and duplicated (arrived twice).
 *
 * Goals (issue 16): redrive >= 500 messages/s (AWS's own move task's maximum), inspection >= 1,000, lost =
 * duplicates = 0. Last line: one JSON object.
 */
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
  localConsoleEnvironment,
  openConsoleStores,
  openDeadLetterConsole,
  rolesFrom,
  sweepDeadLetters,
} from '@backbone/dlq-console/local';
import { up } from '../cloud';
import { provision } from '../provision';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { findService } from '../local-cloud/services';

const MESSAGES = Number(process.env['BENCH_DLQ_MESSAGES'] ?? 5_000);
const SOURCE = 'dlq-bench-local-source';
const DLQ = `${SOURCE}-dlq`;

async function createQueues(sqs: SQSClient): Promise<{ sourceUrl: string; dlqUrl: string }> {
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: DLQ }));
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const { QueueUrl: sourceUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: SOURCE,
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

async function main(): Promise<void> {
  applyLocalEnvironment();
  console.log(`dlq benchmark: Node ${process.version}, ${MESSAGES.toLocaleString('en')} dead letters\n`);
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
      const shown = await console_.messages(actor, DLQ, {}, { limit: MESSAGES });
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
      (await stores.index.list(DLQ)).map((l) => l.messageId),
    );
    await sqs.send(new DeleteQueueCommand({ QueueUrl: sourceUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl }));
    sqs.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
