/**
 * The HTTP endpoints, as serverless-offline serves them (Jest's global set-up starts the services),
 * against the local cloud and the application's own PostgreSQL schema holding the seed catalogue.
 * (serverless-offline does not check AWS_IAM signatures; the packaging test checks that API Gateway will.)
 */
import { readFileSync } from 'node:fs';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings, awsEnvironmentSchema, createS3Client, loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { upsertDefinitions, type StoredDefinitionRow } from '../../src/adapters/postgres';
import { SEED_CATALOGUE } from '../../src/cli';

const API = 'http://127.0.0.1:3040';
const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
const activeCount = catalogue.filter((d) => d.status === 'active').length;
let pool: PostgresPool;
let s3: S3Client;

const post = async (path: string, body?: string) => {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  // What `npm run rules -- seed` and the demo do: idempotent.
  await upsertDefinitions(pool, catalogue, 'seed');
  s3 = createS3Client(awsClientSettings(loadConfig(awsEnvironmentSchema)));
});

afterAll(async () => {
  await pool?.end();
  s3?.destroy();
});

describe('POST /rule-sets/validation', () => {
  it('checks the active definitions when the body is empty', async () => {
    const { status, body } = await post('/rule-sets/validation');
    expect(status).toBe(200);
    expect(body).toMatchObject({ valid: true, ruleCount: activeCount });
  });

  it('checks a definition before it is saved, naming the field at fault', async () => {
    const energy = catalogue.find((d) => d.id === 'energy-switch') ?? catalogue[0]!;
    const broken = { ...energy, score: { value: 3 } };
    const { status, body } = await post('/rule-sets/validation', JSON.stringify({ definition: broken }));
    expect(status).toBe(422);
    expect(body.valid).toBe(false);
    const errors = body.errors as { snoopId?: string; message: string }[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.snoopId === energy.id)).toBe(true);
    expect(errors[0]!.message).toMatch(/score is 3; a score must be between 0 and 1/);

    const fine = await post('/rule-sets/validation', JSON.stringify({ definition: { ...energy, name: 'Renamed' } }));
    expect(fine).toMatchObject({ status: 200, body: { valid: true, ruleCount: activeCount } });
  });

  it('answers 400 with what to send when the body is not a JSON object', async () => {
    for (const body of ['{not json', '[1, 2]']) {
      const response = await post('/rule-sets/validation', body);
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/\{"definition": \{\.\.\.\}\}/);
    }
  });
});

describe('POST /rule-sets', () => {
  it('publishes the active definitions once; the same content again is unchanged', async () => {
    const first = await post('/rule-sets');
    // 201 on a fresh cloud; 200 when this content was published before (by the demo, an earlier run).
    expect([201, 200]).toContain(first.status);
    const version = first.body.ruleSetVersion as string;
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    expect(first.body.ruleCount).toBe(activeCount);

    const again = await post('/rule-sets');
    expect(again).toEqual({
      status: 200,
      body: { status: 'unchanged', ruleSetVersion: version, ruleCount: activeCount },
    });

    const bucket = 'lending-backbone-rules-ingestion-local-eu-west-1';
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `rules/${version}.snoop` }));
    expect(head.ContentLength).toBeGreaterThan(1000);
  });
});
