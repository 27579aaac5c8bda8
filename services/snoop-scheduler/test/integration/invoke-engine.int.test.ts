/**
 * The nightly run's invoke step as it runs: {run, customer, rule ids} messages on the customer-rules FIFO queue reach
 * the invoke Lambda in serverless-offline, which scores them on the rules engine's local processes (through their
 * load balancer) and leaves one result per customer and rule in DynamoDB; an unknown customer lands in the DLQ with
 * the engine's reason while the rest are scored.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  loadConfig,
  publishEnvelopes,
} from '@backbone/shared';
import { customerRulesV1 } from '../../contracts';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { peekMessages, waitFor } from '@backbone/shared/testing';
import { moveRunFence } from '../../src/adapters/dynamodb-snoop-results';
import { publishRuleSetLocally } from '../../local/rule-sets';
import { LOCAL_ENGINE_PROCESSES, refreshEngine, storedResults } from './support';

// Names as serverless.yml declares them for the "local" stage.
const QUEUE = 'snoop-scheduler-local-customer-rules.fifo';
const DLQ = 'snoop-scheduler-local-customer-rules-dlq.fifo';
const RULE_SETS_TABLE = 'snoop-scheduler-local-rule-sets';
const RESULTS_TABLE = 'snoop-scheduler-local-snoop-results';
const RUNS_TABLE = 'snoop-scheduler-local-snoop-runs';
const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';
const suffix = randomUUID().slice(0, 8);
const customer = (n: number) => `invoke-it-${suffix}-${String(n).padStart(3, '0')}`;
const CUSTOMERS = 30;
const RULES = ['spends-on-energy', 'spends-on-groceries', 'saver'];
const RULE_FILE = [
  ['spends-on-energy', 'sum(transactions.filter(t, t.category == "energy").map(t, t.amount)) > 50.0'],
  ['spends-on-groceries', 'sum(transactions.filter(t, t.category == "groceries").map(t, t.amount)) > 50.0'],
  ['saver', 'balances.savings > 1000.0'],
]
  .map(
    ([id, when]) =>
      `snoop "${id}" { name: "${id}" status: active audience: "all" content: "c" valid_from: "2026-01-01" ` +
      `version: 1 when: ${when} score: 0.5 }`,
  )
  .join('\n');

let sqs: SQSClient;
let documents: DynamoDBDocumentClient;
let pool: PostgresPool;

beforeAll(async () => {
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  sqs = createSqsClient(aws);
  documents = createDocumentClient(aws);
  pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1));
  await pool.query(
    `INSERT INTO customer_store.customers
     SELECT id, '1990-01-01', '2024-01-01', 'London', 'employed', 700, false, false, 0, n * 100, 0, 0, 0, 2000, 25, true
     FROM unnest($1::text[]) WITH ORDINALITY AS c(id, n)`,
    [ids],
  );
  await pool.query(
    `INSERT INTO customer_store.transactions
     SELECT id, '2026-11-20', 1, 40 + n, 'out', CASE WHEN n % 2 = 0 THEN 'energy' ELSE 'groceries' END, 'Shop'
     FROM unnest($1::text[]) WITH ORDINALITY AS c(id, n)`,
    [ids],
  );
  // The engine's processes (started by the test set-up) load this version; ACTIVE is left as other tests set it.
  const version = await publishRuleSetLocally(process.env, {
    ruleSetsTable: RULE_SETS_TABLE,
    bucket: BUCKET,
    text: RULE_FILE,
    activate: false,
  });
  for (const url of LOCAL_ENGINE_PROCESSES)
    expect((await refreshEngine(url, { version: version.ruleSetVersion })).body).toMatchObject({
      ok: true,
      version: version.ruleSetVersion,
    });
}, 60_000);

afterAll(async () => {
  await pool?.query('DELETE FROM customer_store.customers WHERE customer_id LIKE $1', [`invoke-it-${suffix}-%`]);
  await pool?.end();
  sqs?.destroy();
  documents?.destroy();
});

const stored = (customerIds: readonly string[]) => storedResults(documents, RESULTS_TABLE, customerIds, RULES);

describe('the invoke step of the nightly run', () => {
  it('scores every queued customer on the engine, one result per customer and rule; an unknown one to the DLQ', async () => {
    const runId = `invoke-it-${suffix}`;
    await moveRunFence(documents, RUNS_TABLE, { runId, startedAt: new Date().toISOString() });
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
    const ids = Array.from({ length: CUSTOMERS }, (_, i) => customer(i + 1));
    const unknown = `invoke-it-${suffix}-nobody`;
    const envelopes = [...ids, unknown].map((customerId) =>
      customerRulesV1.create({ runId, customerId, ruleIds: RULES, on: '2026-11-30' }, { id: `${runId}:${customerId}` }),
    );
    const sent = await publishEnvelopes(sqs, queueUrl, envelopes, {
      messageGroupId: (envelope) => (envelope.data as { customerId: string }).customerId,
    });
    expect(sent.filter((r) => r.status !== 'sent')).toEqual([]);

    const items = await waitFor(
      'one result per customer and rule',
      async () => {
        const found = await stored(ids);
        return found.length === CUSTOMERS * RULES.length ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(items.every((item) => item['runId'] === runId)).toBe(true);
    const byKey = new Map(items.map((item) => [`${String(item['customerId'])}/${String(item['ruleId'])}`, item]));
    expect(byKey.get(`${customer(20)}/spends-on-energy`)).toMatchObject({
      qualified: true,
      explanation: 'transactions totalling 60.00 GBP on energy, more than 50',
    });
    expect(byKey.get(`${customer(20)}/saver`)).toMatchObject({
      qualified: true,
      explanation: 'savings 2000.00 GBP, more than 1000',
    });
    expect(byKey.get(`${customer(3)}/spends-on-groceries`)).toMatchObject({ qualified: false });

    const dead = await waitFor('the unknown customer in the DLQ', async () =>
      (await peekMessages(sqs, dlqUrl)).find((m) => m.Body?.includes(unknown)),
    );
    const reason = dead.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue;
    expect(reason).toMatch(/^PermanentError: the customer is not in the customer store/);
    // A customer id is personal data's key: never in a reason (the message itself names the customer).
    expect(reason).not.toContain(unknown);
  });
});
