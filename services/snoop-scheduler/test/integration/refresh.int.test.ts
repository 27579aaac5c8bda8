/**
 * The refresh step as it runs: a RuleSetPublished announcement for a real rules file reaches the ruleSetPublished
 * Lambda in serverless-offline, which activates it and tells each of the engine's local processes, on its own
 * address, to load it, and records which process serves which version.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createS3Client,
  createSqsClient,
  loadConfig,
  publishEnvelopes,
} from '@backbone/shared';
import { ruleSetPublishedV1 } from '../../contracts';
import { waitFor } from '@backbone/shared/testing';
import { ENGINE_PORT, getJson } from '../../local/engine';
import { LOCAL_REFRESH_SECRET } from './support';
import { ACTIVE_RULE_SET_KEY } from '../../src/adapters/dynamodb-rule-set-store';

// Names as serverless.yml declares them for the "local" stage.
const QUEUE = 'snoop-scheduler-local-rule-set-published';
const RULE_SETS_TABLE = 'snoop-scheduler-local-rule-sets';
const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';

it('tells every engine process to load a newly active rule set, and records which serves which', async () => {
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  const sqs = createSqsClient(aws);
  const documents = createDocumentClient(aws);
  const text =
    `snoop "refresh-${randomUUID().slice(0, 8)}" { name: "n" status: active audience: "all" content: "c" ` +
    'valid_from: "2026-01-01" version: 1 when: balances.savings > 100.0 score: 0.5 }\n';
  const version = createHash('sha256').update(text).digest('hex');
  const key = `rules/${version}.snoop`;
  await createS3Client(aws).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: text }));
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  const sent = await publishEnvelopes(sqs, queueUrl, [
    ruleSetPublishedV1.create({
      ruleSetVersion: version,
      location: { bucket: BUCKET, key },
      checksumSha256: version,
      ruleCount: 1,
      publishedAt: new Date().toISOString(),
      publishedBy: 'refresh-test',
    }),
  ]);
  expect(sent[0]!.status).toBe('sent');

  for (const port of [ENGINE_PORT + 1, ENGINE_PORT + 2]) {
    await waitFor(`the engine on ${port} to serve ${version.slice(0, 12)}`, async () => {
      const status = (await getJson(`http://127.0.0.1:${port}/rules/version`, LOCAL_REFRESH_SECRET)).body as {
        serving: { version: string } | null;
      };
      return status.serving?.version === version ? true : undefined;
    });
    const recorded = await waitFor(`the record of 127.0.0.1:${port}`, async () => {
      const { Item } = await documents.send(
        new GetCommand({ TableName: RULE_SETS_TABLE, Key: { pk: `ENGINE#127.0.0.1:${port}` }, ConsistentRead: true }),
      );
      return Item?.['servingVersion'] === version ? Item : undefined;
    });
    expect(recorded).toMatchObject({ url: `http://127.0.0.1:${port}`, servingVersion: version });
  }
  // The active pointer notes that engines serve it: what a container started later falls back to.
  const active = await waitFor('the active pointer to note the version served', async () => {
    const { Item } = await documents.send(
      new GetCommand({ TableName: RULE_SETS_TABLE, Key: { pk: ACTIVE_RULE_SET_KEY }, ConsistentRead: true }),
    );
    return Item?.['lastServed'] === version ? Item : undefined;
  });
  expect(active).toMatchObject({ ruleSetVersion: version, key, lastServed: version });
  sqs.destroy();
  documents.destroy();
});
