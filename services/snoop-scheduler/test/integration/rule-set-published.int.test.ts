/**
 * Across services, as in production: a RuleSetPublished message published with
 * the shared producer (as rules-ingestion does) reaches snoop-scheduler's
 * SQS-triggered function running in serverless-offline, through the emulator.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ATTRIBUTE,
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createS3Client,
  createSqsClient,
  loadConfig,
  publishEnvelopes,
} from '@backbone/shared';
import { ruleSetPublishedV1, type RuleSetPublished } from '../../contracts';
import { peekMessages, waitFor } from '@backbone/shared/testing';
import { ACTIVE_RULE_SET_KEY, versionKey } from '../../src/adapters/dynamodb-rule-set-store';

// Names as serverless.yml declares them for the "local" stage.
const QUEUE = 'snoop-scheduler-local-rule-set-published';
const DLQ = 'snoop-scheduler-local-rule-set-published-dlq';
const TABLE = 'snoop-scheduler-local-rule-sets';
const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';

let sqs: SQSClient;
let documents: DynamoDBDocumentClient;
let s3: S3Client;
let queueUrl: string;
let dlqUrl: string;

/**
 * A rule set as rules-ingestion publishes one: a real file in the bucket (one rule of a name of its own, so that its
 * version is new), its version and checksum the SHA-256 of its text. Never a file that was not uploaded: the stage's
 * engines load what becomes active, and a pointer to nothing would leave them (and every later test) without rules.
 */
async function announcement(publishedAt: Date): Promise<RuleSetPublished> {
  const text =
    `snoop "published-it-${randomUUID().slice(0, 8)}" { name: "n" status: active audience: "all" content: "c" ` +
    `valid_from: "2026-01-01" version: 1 when: balances.savings > 1000.0 score: 0.5 }`;
  const ruleSetVersion = createHash('sha256').update(text, 'utf8').digest('hex');
  const key = `rules/${ruleSetVersion}.snoop`;
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));
  return {
    ruleSetVersion,
    location: { bucket: BUCKET, key },
    checksumSha256: ruleSetVersion,
    ruleCount: 1,
    publishedAt: publishedAt.toISOString(),
    publishedBy: 'integration-test',
  };
}

const readItem = async (pk: string) =>
  (await documents.send(new GetCommand({ TableName: TABLE, Key: { pk }, ConsistentRead: true }))).Item;

/** Looks in the DLQ for the message with this envelope id, without hiding any message from others. */
const deadLetter = (id: string, what: string) =>
  waitFor(
    what,
    async () => (await peekMessages(sqs, dlqUrl, 1)).find((m) => (JSON.parse(m.Body!) as { id: string }).id === id),
    { timeoutMs: 60_000 },
  );

beforeAll(async () => {
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  sqs = createSqsClient(aws);
  documents = createDocumentClient(aws);
  s3 = createS3Client(aws);
  queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
});

afterAll(() => {
  sqs.destroy();
  documents.destroy();
  s3.destroy();
});

describe('snoop-scheduler ruleSetPublished in serverless-offline', () => {
  it('records a published rule set and makes it the active one', async () => {
    const published = await announcement(new Date());
    const [result] = await publishEnvelopes(sqs, queueUrl, [ruleSetPublishedV1.create(published)]);
    expect(result!.status).toBe('sent');

    const active = await waitFor('the active rule set to be recorded', async () => {
      const item = await readItem(ACTIVE_RULE_SET_KEY);
      return item?.ruleSetVersion === published.ruleSetVersion ? item : undefined;
    });
    expect(active).toMatchObject({ bucket: published.location.bucket, key: published.location.key, ruleCount: 1 });
    expect(await readItem(versionKey(published.ruleSetVersion))).toMatchObject({ publishedBy: 'integration-test' });
  });

  it('keeps the newer rule set active when an older announcement arrives late', async () => {
    const newer = await announcement(new Date());
    const older = await announcement(new Date(Date.now() - 60_000));
    await publishEnvelopes(sqs, queueUrl, [ruleSetPublishedV1.create(newer)]);
    await waitFor('the newer rule set to be active', async () =>
      (await readItem(ACTIVE_RULE_SET_KEY))?.ruleSetVersion === newer.ruleSetVersion ? true : undefined,
    );

    await publishEnvelopes(sqs, queueUrl, [ruleSetPublishedV1.create(older)]);
    await waitFor('the late announcement to be recorded in history', async () =>
      readItem(versionKey(older.ruleSetVersion)),
    );
    expect((await readItem(ACTIVE_RULE_SET_KEY))?.ruleSetVersion).toBe(newer.ruleSetVersion);
  });

  it('refuses an announcement dated in the future, with the reason, in the DLQ', async () => {
    const future = ruleSetPublishedV1.create(await announcement(new Date(Date.now() + 3_600_000)));
    await publishEnvelopes(sqs, queueUrl, [future]);
    const dead = await deadLetter(future.id, 'the future-dated announcement in the DLQ');
    expect(dead.MessageAttributes![ATTRIBUTE.failureReason]!.StringValue).toMatch(
      /cannot shadow rule sets published later/,
    );
    expect((await readItem(ACTIVE_RULE_SET_KEY))?.ruleSetVersion).not.toBe(future.data.ruleSetVersion);
  });

  it('sends an invalid message to the DLQ with the reason, and keeps processing', async () => {
    const valid = ruleSetPublishedV1.create(await announcement(new Date()));
    const invalidId = `invalid-${randomUUID()}`;
    const invalid = { ...valid, id: invalidId, data: { ...valid.data, ruleCount: 'fifty-two' } };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(invalid) }));

    const dead = await deadLetter(invalidId, 'the invalid message in the DLQ');
    const attributes = dead.MessageAttributes!;
    expect(attributes[ATTRIBUTE.failureKind]!.StringValue).toBe('permanent');
    expect(attributes[ATTRIBUTE.failureReason]!.StringValue).toMatch(/InvalidMessageError: .*data\.ruleCount/);
    expect(attributes[ATTRIBUTE.failureSource]!.StringValue).toContain(QUEUE);
  });
});
