/**
 * npm start's story for snoop-scheduler: once the announcements on its queue are handled, which rule set is active;
 * the rules engine told to load it, a run started, customers scored with what fired in words, an unknown snoop
 * failing alone, a late request from an older run refused; then a malformed announcement, and where it goes (the
 * DLQ, with the reason).
 */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  loadConfig,
} from '@backbone/shared';
import type { LocalContext } from '@backbone/shared/local';
import { peekMessages, waitFor } from '@backbone/shared/testing';
import { readActiveRuleSet } from '../src/adapters/dynamodb-rule-set-store';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { progressBar } from '@backbone/shared/local';
import { readRun } from '../src/adapters/dynamodb-runs';
import type { EvaluateResponse } from '../engine/domain/evaluate';
import { runComplete } from '../src/domain/nightly-run';
import { createQueueEligibleCustomersHandler } from '../src/functions/queue-eligible-customers/handler';
import { wireQueueEligibleCustomers } from '../src/functions/queue-eligible-customers/wiring';
import { postJson, ENGINE_PORT } from './engine';
import { functionEnvironment } from './function-environment';

interface Names {
  ruleSetPublishedQueue: string;
  ruleSetPublishedDlq: string;
  ruleSetsTable: string;
  snoopRunsTable: string;
  snoopResultsTable: string;
}

/** Customers of npm start's sample night (the seed has 2,000). */
const DEMO_NIGHT_CUSTOMERS = 300;

/**
 * The engine's part of the story: its two local processes load the active rule set; a sample night runs through the
 * real pipeline (customer step here, rule and invoke steps in serverless-offline, the engine, DynamoDB) with its
 * progress; then the top snoops of a few customers and why they fired.
 */
async function demoEngine(context: LocalContext, names: Names, documents: DynamoDBDocumentClient) {
  const lines: string[] = [];
  const secret = ((await context.serverless()).custom['engine'] as Record<string, string>)['refreshSecret']!;
  // Each process on its own address, as a refresh reaches each container; then requests through the balancer.
  const instances = [1, 2].map((i) => `http://127.0.0.1:${ENGINE_PORT + i}`);
  const refreshed = await Promise.all(instances.map((url) => postJson(`${url}/rules/refresh`, {}, secret)));
  const loaded = refreshed[0]!.body as { ok: boolean; version?: string; reason?: string };
  if (!loaded.ok) return [`rules engine: could not load the active rule set: ${loaded.reason}`];
  lines.push(`rules engine: ${instances.length} processes serving ${loaded.version!.slice(0, 12)}…`);

  const runId = `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  // The customer step runs in this process: its logger (Powertools, which reads the level when it is made) stays quiet
  // here, where its lines would interleave with the story's.
  const level = process.env['POWERTOOLS_LOG_LEVEL'];
  process.env['POWERTOOLS_LOG_LEVEL'] = 'WARN';
  const queueCustomers = createQueueEligibleCustomersHandler(
    wireQueueEligibleCustomers(await functionEnvironment(context)),
  );
  if (level === undefined) delete process.env['POWERTOOLS_LOG_LEVEL'];
  else process.env['POWERTOOLS_LOG_LEVEL'] = level;
  const began = Date.now();
  const queued = await queueCustomers(
    { runId, maxCustomers: DEMO_NIGHT_CUSTOMERS },
    { getRemainingTimeInMillis: () => 5 * 60_000 },
  );
  context.log(`sample night ${runId}: ${queued.queued} customers queued; scoring ...`);
  let reported = -1;
  const run = await waitFor(
    `run ${runId} to complete`,
    async () => {
      const now = await readRun(documents, names.snoopRunsTable, runId);
      if (!now) return undefined;
      const done = now.customersScored + now.customersFailed;
      const quarter = Math.floor((4 * done) / Math.max(1, now.queued));
      if (quarter > reported) {
        reported = quarter;
        context.log(`  ${progressBar(done, now.queued)} ${now.evaluations} evaluations`);
      }
      return runComplete(now) ? now : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 250 },
  );
  lines.push(
    `sample night ${runId}: ${run.queued} customers x ${run.evaluations / Math.max(1, run.customersScored)} snoops ` +
      `scored and written in ${((Date.now() - began) / 1000).toFixed(1)} s (the run's first writes wait for the run ` +
      `fence's grace), ${run.customersFailed} failed`,
  );
  for (const customerId of ['cust-000001', 'cust-000002', 'cust-000003']) {
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: names.snoopResultsTable,
        KeyConditionExpression: 'customerId = :c',
        ExpressionAttributeValues: { ':c': customerId },
      }),
    );
    const top = Items.filter((item) => item['qualified'] === true && item['runId'] === runId)
      .sort((a, b) => Number(b['score']) - Number(a['score']))
      .slice(0, 2);
    for (const item of top)
      lines.push(
        `  ${customerId}: "${String(item['ruleId'])}" (score ${Number(item['score']).toFixed(2)}): ${String(item['explanation'])}`,
      );
  }

  const unknown = await postJson(
    `http://127.0.0.1:${ENGINE_PORT}/evaluate`,
    { dryRun: true, customerId: 'cust-000001', ruleIds: ['energy-switch', 'no-such-snoop'] },
    secret,
  );
  const errors = (unknown.body as unknown as EvaluateResponse).errors;
  lines.push(`an unknown snoop fails alone: ${errors.map((e) => `${e.ruleId}: ${e.reason}`).join('; ')}`);
  const late = await postJson(
    `http://127.0.0.1:${ENGINE_PORT}/evaluate`,
    { runId: 'demo-yesterday', customerId: 'cust-000001' },
    secret,
  );
  lines.push(`a late request from an older run -> ${late.status}: ${String(late.body['error'])}`);
  return lines;
}

export async function demoSnoopScheduler(context: LocalContext): Promise<string[]> {
  const names = (await context.serverless()).custom.names as Names;
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema, context.env));
  const sqs = createSqsClient(aws);
  const documents = createDocumentClient(aws);
  const lines: string[] = [];
  try {
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.ruleSetPublishedQueue }))).QueueUrl!;
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.ruleSetPublishedDlq }))).QueueUrl!;
    // Every announcement sent so far handled (none waiting, none in flight): the active rule set is final.
    await waitFor('the rule-set announcements to be handled', async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
        0
        ? true
        : undefined;
    });
    const active = await waitFor('an active rule set', () => readActiveRuleSet(documents, names.ruleSetsTable));
    lines.push(
      `active rule set ${active.ruleSetVersion.slice(0, 12)}… (${active.ruleCount} snoops), ` +
        `published ${active.publishedAt}, active since ${active.activatedAt}`,
    );
    lines.push(...(await demoEngine(context, names, documents)));

    // A producer that ignores the contract: the consumer sends it to the DLQ with the reason.
    const malformedId = `demo-malformed-${Date.now()}`;
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          id: malformedId,
          type: 'RuleSetPublished',
          version: 1,
          occurredAt: new Date().toISOString(),
          correlationId: malformedId,
          data: { ruleSetVersion: 'not-a-hash', ruleCount: 'many' },
        }),
      }),
    );
    const dead = await waitFor('the malformed announcement in the DLQ', async () =>
      (await peekMessages(sqs, dlqUrl)).find((m) => m.Body?.includes(malformedId)),
    );
    lines.push(
      `malformed announcement -> DLQ: ${dead.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue ?? '(no reason)'}`,
    );
    return lines;
  } finally {
    sqs.destroy();
    documents.destroy();
  }
}
