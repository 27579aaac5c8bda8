/**
 * The HTTP endpoints, as serverless-offline serves them (Jest's global set-up starts the services),
 * against the local cloud and the application's own PostgreSQL schema holding the seed catalogue.
 * Both are AWS_IAM in AWS, and locally too: requests are SigV4-signed with the local credentials, and the
 * caller's identity comes from the signature (the packaging test checks that API Gateway will require it).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createS3Client,
  createSignedFetch,
  loadConfig,
  type SigV4Credentials,
} from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { upsertDefinitions, type StoredDefinitionRow } from '../../src/adapters/postgres';
import { SEED_CATALOGUE } from '../../src/cli';

const API = 'http://127.0.0.1:3040';
const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
/**
 * The active approved definitions now: the seed's, and any the editor's tests had approved meanwhile (the public
 * schema is shared with them), so that this file's figures never depend on which ran first.
 */
const activeApproved = async (): Promise<number> => {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM snoop_approved WHERE definition->>'status' = 'active'`,
  );
  return Number(rows[0]!.n);
};
let pool: PostgresPool;
let s3: S3Client;

const REGION = loadConfig(awsEnvironmentSchema).AWS_REGION;
/** The local credentials every local tool signs with: any access key id, the local cloud's secret. */
const localCredentials = (accessKeyId = 'integration-test'): SigV4Credentials => ({
  accessKeyId,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
});

const postAs = async (credentials: SigV4Credentials | undefined, path: string, body?: string) => {
  const signed = credentials ? createSignedFetch({ credentials, region: REGION }) : fetch;
  const response = await signed(`${API}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const post = (path: string, body?: string) => postAs(localCredentials(), path, body);

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
    expect(body).toMatchObject({ valid: true, ruleCount: await activeApproved() });
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
    expect(fine).toMatchObject({ status: 200, body: { valid: true, ruleCount: await activeApproved() } });
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
    const bucket = 'lending-backbone-rules-ingestion-local-eu-west-1';
    // The seed's content may have been published before (by the demo, an earlier run): its version is the same
    // whatever the answer, and the file of it, once gone, must make the next publish write it again (201).
    const { body: earlier } = await post('/rule-sets');
    const version = earlier.ruleSetVersion as string;
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `rules/${version}.snoop` }));

    const first = await post('/rule-sets');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ruleSetVersion: version, ruleCount: await activeApproved() });

    const again = await post('/rule-sets');
    expect(again).toEqual({
      status: 200,
      body: { status: 'unchanged', ruleSetVersion: version, ruleCount: await activeApproved() },
    });

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `rules/${version}.snoop` }));
    expect(head.ContentLength).toBeGreaterThan(1000);
  });
});

describe('AWS_IAM authorisation, locally as in AWS', () => {
  it.each([
    ['unsigned', undefined, /the request is not signed/],
    [
      'signed with a wrong secret',
      { accessKeyId: 'intruder', secretAccessKey: 'not-the-local-secret' },
      /signature does not match/,
    ],
  ])('refuses a request %s with 403 saying how to sign, and publishes nothing', async (_case, credentials, why) => {
    for (const path of ['/rule-sets', '/rule-sets/validation']) {
      const { status, body } = await postAs(credentials, path);
      expect({ path, status }).toEqual({ path, status: 403 });
      expect(body.message).toMatch(why);
      expect(body.message).toMatch(/sign the request with SigV4 \(service execute-api\) using the local credentials/);
    }
  });

  it('accepts a correctly signed request and records the signer as the publisher', async () => {
    const run = randomUUID().slice(0, 8);
    const editor = `rules-editor-${run}`;
    // This run's own content, so that the publication is new and says who published it.
    await upsertDefinitions(
      pool,
      catalogue.map((d) => (d.id === 'salary-day' ? { ...d, name: `${d.name} (${run})` } : d)),
      'http-integration-test',
    );
    try {
      const { status, body } = await postAs(localCredentials(editor), '/rule-sets');
      expect(status).toBe(201);
      expect(body).toMatchObject({ status: 'published', publishedBy: `arn:aws:iam::000000000000:user/${editor}` });
    } finally {
      await upsertDefinitions(pool, catalogue, 'http-integration-test');
    }
  });
});
