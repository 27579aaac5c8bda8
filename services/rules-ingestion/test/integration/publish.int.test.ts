/**
 * Definitions in PostgreSQL -> publish -> rules file in S3 and a RuleSetPublished message, which
 * snoop-scheduler (running in serverless-offline) turns into the active rule set. Runs in its own
 * PostgreSQL schema, so the demo's definitions are untouched.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createS3Client,
  loadConfig,
} from '@backbone/shared';
import type { PostgresPool } from '@backbone/shared/postgres';
import { compileRuleFile } from '@backbone/rules-language';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { waitFor } from '@backbone/shared/testing';
import { upsertDefinitions, type StoredDefinitionRow } from '../../src/adapters/postgres';
import { LATEST_KEY } from '../../src/adapters/s3-rule-set-files';
import { SEED_CATALOGUE } from '../../src/cli';
import { createRulesIngestion, type RulesIngestion } from '../../src/composition-root';
import { ownSchema } from './own-schema';

const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';
const QUEUE = 'snoop-scheduler-local-rule-set-published';

const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
let s3: S3Client;
let pool: PostgresPool;
let schema: Awaited<ReturnType<typeof ownSchema>>;
let ingestion: RulesIngestion;

const text = async (key: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString('utf8');

/** Every object under rules/ with its ETag, all pages of the listing. */
const rulesObjects = async (): Promise<string[]> => {
  const objects: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: BUCKET, Prefix: 'rules/' }))
    for (const object of page.Contents ?? []) objects.push(`${object.Key} ${object.ETag}`);
  return objects.sort();
};

beforeAll(async () => {
  schema = await ownSchema('it_rules');
  ({ pool } = schema);
  s3 = createS3Client(aws);
  ingestion = createRulesIngestion(
    { ...process.env, RULES_BUCKET: BUCKET, RULE_SET_PUBLISHED_QUEUE_NAME: QUEUE },
    pool,
  );
});

afterAll(async () => {
  await ingestion?.close();
  await schema?.drop();
  s3?.destroy();
});

describe('publishing the rule set', () => {
  // Each run publishes distinct content (a run id in one name), so this run's version is new.
  const runId = randomUUID().slice(0, 8);
  const definitions = catalogue.map((d) => (d.id === 'salary-day' ? { ...d, name: `${d.name} (${runId})` } : d));

  it('writes a versioned, valid rules file, points latest at it, and snoop-scheduler activates it', async () => {
    await upsertDefinitions(pool, definitions, 'integration-test');
    const outcome = await ingestion.publish('integration-test');
    if (outcome.status !== 'published') throw new Error(`expected a publication, got ${JSON.stringify(outcome)}`);
    const { published } = outcome;
    expect(published.ruleCount).toBe(definitions.filter((d) => d.status === 'active').length);
    expect(published.location).toEqual({ bucket: BUCKET, key: `rules/${published.ruleSetVersion}.snoop` });

    const file = await text(published.location.key);
    const compiled = compileRuleFile(file);
    if (!compiled.ok) throw new Error(`the published file does not compile: ${compiled.errors[0]?.message}`);
    expect(compiled.ruleSet.evaluate(sampleCustomer(1)).length).toBeGreaterThan(0);
    expect(JSON.parse(await text(LATEST_KEY))).toMatchObject({ ruleSetVersion: published.ruleSetVersion });

    const documents = createDocumentClient(aws);
    try {
      await waitFor('snoop-scheduler to activate the published rule set', async () => {
        const active = await documents.send(
          new GetCommand({ TableName: 'snoop-scheduler-local-rule-sets', Key: { pk: 'ACTIVE' }, ConsistentRead: true }),
        );
        return active.Item?.ruleSetVersion === published.ruleSetVersion ? true : undefined;
      });
    } finally {
      documents.destroy();
    }
  });

  it('publishes unchanged content as a no-op: nothing written, nothing sent', async () => {
    const before = await rulesObjects();
    const outcome = await ingestion.publish('integration-test');
    expect(outcome.status).toBe('unchanged');
    // Every object, each page of the listing (a long-lived local cloud holds more than one page of them).
    expect(await rulesObjects()).toEqual(before);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM rule_set_publications');
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('refuses an invalid definition with a report naming it, and writes nothing', async () => {
    const latestBefore = await text(LATEST_KEY);
    await upsertDefinitions(
      pool,
      [
        {
          ...catalogue[0]!,
          id: 'broken-age-check',
          condition: { compare: [{ field: 'profile.age' }, '>', { value: 'eighteen' }] },
          score: { value: 1.5 },
        },
      ],
      'integration-test',
    );
    const outcome = await ingestion.publish('integration-test');
    expect(outcome.status).toBe('invalid');
    const messages = outcome.status === 'invalid' ? outcome.errors.map((e) => `${e.snoopId}: ${e.message}`) : [];
    expect(messages.join('\n')).toMatch(
      /broken-age-check: .*">" needs two numbers, two strings or two booleans, not a number and a string/,
    );
    expect(messages.join('\n')).toMatch(/broken-age-check: .*the score is 1\.5; a score must be between 0 and 1/);
    expect(await text(LATEST_KEY)).toBe(latestBefore);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM rule_set_publications');
    expect(rows[0]).toEqual({ n: 1 });
  });

  it('keeps every saved version of a definition in the history table', async () => {
    const { rows } = await pool.query(
      "SELECT operation FROM snoop_definition_history WHERE id = 'broken-age-check' ORDER BY saved_at",
    );
    expect(rows.map((r: { operation: string }) => r.operation)).toEqual(['INSERT']);
  });
});
