/**
 * Review and publish through the outbox, against the local PostgreSQL, S3 and snoop-scheduler's queue: an approval
 * publishes through the relay; a rolled-back one publishes nothing; the same request delivered twice gives the same
 * version; approvals give versions in order; a relay that was away catches up; a restore serves an earlier version
 * again. Runs in its own PostgreSQL schema (the relay npm start runs drains the public one, never this).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { awsClientSettings, awsEnvironmentSchema, createS3Client, loadConfig } from '@backbone/shared';
import type { PostgresPool } from '@backbone/shared/postgres';
import { functionIdentity } from '@backbone/shared/testing';
import { upsertDefinitions, type StoredDefinitionRow } from '../../src/adapters/postgres';
import { LATEST_KEY } from '../../src/adapters/s3-rule-set-files';
import { SEED_CATALOGUE } from '../../src/cli';
import { createRuleSetRelay, createSnoopDefinitions } from '../../src/composition-root';
import type { Actor } from '../../src/domain/definitions';
import { ownSchema } from './own-schema';

const BUCKET = 'lending-backbone-rules-ingestion-local-eu-west-1';
const QUEUE = 'snoop-scheduler-local-rule-set-published';
const env = {
  ...process.env,
  RULES_BUCKET: BUCKET,
  RULE_SET_PUBLISHED_QUEUE_NAME: QUEUE,
  IMPACT_PREVIEWS_QUEUE_NAME: 'snoop-scheduler-local-impact-previews',
};

const writer: Actor = { name: 'wendy@example.com', roles: new Set(['rules:read', 'rules:edit']) };
const approver: Actor = { name: 'amir@example.com', roles: new Set(['rules:read', 'rules:approve', 'rules:publish']) };

let pool: PostgresPool;
let schema: Awaited<ReturnType<typeof ownSchema>>;
let s3: S3Client;
let relay: ReturnType<typeof createRuleSetRelay>;
let staff: ReturnType<typeof createSnoopDefinitions>;

const latest = async () =>
  (
    JSON.parse(
      await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: LATEST_KEY }))).Body!.transformToString('utf8'),
    ) as { ruleSetVersion: string }
  ).ruleSetVersion;
const rulesFile = async (version: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `rules/${version}.snoop` }))).Body!.transformToString(
    'utf8',
  );
const outboxRows = async () =>
  (
    await pool.query(
      'SELECT sequence, done_at IS NOT NULL AS done, rule_set_version AS version FROM rule_set_outbox ORDER BY sequence',
    )
  ).rows as { done: boolean; version: string | null }[];

/** A writer's change to a snoop, submitted and approved by someone else: the approved definitions change. */
async function approveChange(id: string, when: string): Promise<void> {
  const current = await staff.definitions.read(writer, id);
  const changed = await staff.definitions.change(writer, id, current.snoop.version, { when });
  const review = await staff.reviews.submit(writer, id, changed.snoop.version);
  await staff.reviews.decide(approver, review.reviewId, 'approve', 'ok');
}

beforeAll(async () => {
  schema = await ownSchema('it_outbox');
  ({ pool } = schema);
  s3 = createS3Client(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  // This run's own content (a run id in one name), approved as imported, so that its versions are new.
  const run = randomUUID().slice(0, 8);
  const catalogue = (JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[]).map((d) =>
    d.id === 'salary-day' ? { ...d, name: `${d.name} (${run})` } : d,
  );
  await upsertDefinitions(pool, catalogue, 'outbox-test');
  // Each as its function: the gateway attributes their AWS calls to it (the IAM check).
  relay = createRuleSetRelay({ ...env, ...functionIdentity('rules-ingestion-local-relayRuleSetOutbox') }, pool);
  staff = createSnoopDefinitions({ ...env, ...functionIdentity('rules-ingestion-local-snoopDefinitionsApi') }, pool);
});

afterAll(async () => {
  await relay?.close();
  await staff?.close();
  await schema?.drop();
  s3?.destroy();
});

describe('publishing approved changes through the outbox', () => {
  let first: string;

  it('publishes an approval: the rules file holds the approved condition, and the row is done with its version', async () => {
    expect(await relay.relay()).toEqual({ rows: 0, promoted: 0 });
    await approveChange('energy-switch', 'balances.current < 51.0');
    const { rows, outcome } = await relay.relay();
    expect(rows).toBe(1);
    if (outcome?.status !== 'published') throw new Error(`expected a publication, got ${JSON.stringify(outcome)}`);
    first = outcome.published.ruleSetVersion;
    expect(outcome.published.publishedBy).toBe('amir@example.com');
    expect(await latest()).toBe(first);
    expect(await rulesFile(first)).toContain('balances.current < 51.0');
    expect(await outboxRows()).toEqual([expect.objectContaining({ done: true, version: first })]);
  });

  it('publishes nothing for an approval whose transaction rolled back', async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO ${schema.schema}`);
      await client.query('BEGIN');
      await client.query(
        `UPDATE snoop_approved SET definition = jsonb_set(definition, '{name}', '"rolled back"') WHERE snoop_id = 'energy-switch'`,
      );
      await client.query(`INSERT INTO rule_set_outbox (reason, requested_by) VALUES ('rolled back', 'nobody')`);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await relay.relay()).toEqual({ rows: 0, promoted: 0 });
    expect(await latest()).toBe(first);
  });

  it('gives the same version for the same request delivered twice', async () => {
    await pool.query(`INSERT INTO rule_set_outbox (reason, requested_by) VALUES ('again', 'amir@example.com')`);
    expect(await relay.relay()).toEqual({
      rows: 1,
      promoted: 0,
      outcome: expect.objectContaining({ status: 'unchanged', version: first }),
    });
    expect(await latest()).toBe(first);
  });

  it('gives versions in the order of the approvals, each holding every approval before it', async () => {
    await approveChange('energy-switch', 'balances.current < 52.0');
    const second = await relay.relay();
    await approveChange('groceries-high', 'profile.age > 21.0');
    const third = await relay.relay();
    if (second.outcome?.status !== 'published' || third.outcome?.status !== 'published')
      throw new Error('expected two publications');
    const [v2, v3] = [second.outcome.published.ruleSetVersion, third.outcome.published.ruleSetVersion];
    expect(new Set([first, v2, v3]).size).toBe(3);
    expect(await latest()).toBe(v3);
    const file = await rulesFile(v3);
    expect(file).toContain('balances.current < 52.0');
    expect(file).toContain('profile.age > 21.0');
    const { rows } = await pool.query(
      'SELECT rule_set_version FROM rule_set_publications ORDER BY published_at, rule_set_version',
    );
    expect(rows.map((r: { rule_set_version: string }) => r.rule_set_version)).toEqual([first, v2, v3]);
    // Side by side, snoop by snoop: the two conditions approved since the first.
    expect(await staff.reviews.compare(approver, first, v3)).toMatchObject({
      added: [],
      removed: [],
      changed: [
        {
          id: 'energy-switch',
          changes: [{ field: 'condition', from: 'balances.current < 51.0', to: 'balances.current < 52.0' }],
        },
        { id: 'groceries-high', changes: [expect.objectContaining({ field: 'condition', to: 'profile.age > 21.0' })] },
      ],
    });
  });

  it('catches up after being away: approvals made meanwhile are published together', async () => {
    await approveChange('energy-switch', 'balances.current < 53.0');
    await approveChange('groceries-high', 'profile.age > 22.0');
    const { rows, outcome } = await relay.relay();
    expect(rows).toBe(2);
    if (outcome?.status !== 'published') throw new Error('expected a publication');
    const file = await rulesFile(outcome.published.ruleSetVersion);
    expect(file).toContain('balances.current < 53.0');
    expect(file).toContain('profile.age > 22.0');
    expect((await outboxRows()).every((row) => row.done)).toBe(true);
  });

  it('publishes a scheduled approval at its time, not before; a cancelled one never', async () => {
    const before = await latest();
    const schedule = async (id: string, when: string, publishAt: Date) => {
      const current = await staff.definitions.read(writer, id);
      const changed = await staff.definitions.change(writer, id, current.snoop.version, { when });
      const review = await staff.reviews.submit(writer, id, changed.snoop.version);
      return staff.reviews.decide(approver, review.reviewId, 'approve', 'at six', publishAt.toISOString());
    };
    const soon = new Date(Date.now() + 1_500);
    const scheduled = await schedule('energy-switch', 'balances.current < 54.0', soon);
    expect(scheduled).toMatchObject({ state: 'scheduled', publishAt: soon.toISOString() });
    const cancelled = await schedule('groceries-high', 'profile.age > 23.0', soon);
    await staff.reviews.decide(approver, cancelled.reviewId, 'send-back', 'not this one');
    // Before its time: the approved definitions and what is served are unchanged.
    expect(await relay.relay()).toEqual({ rows: 0, promoted: 0 });
    expect((await staff.definitions.read(writer, 'energy-switch')).snoop.version).toBe(scheduled.version);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, soon.getTime() - Date.now() + 100)));
    const { rows, promoted, outcome } = await relay.relay();
    expect({ rows, promoted }).toEqual({ rows: 1, promoted: 1 });
    if (outcome?.status !== 'published') throw new Error(`expected a publication, got ${JSON.stringify(outcome)}`);
    expect(outcome.published.ruleSetVersion).not.toBe(before);
    const file = await rulesFile(outcome.published.ruleSetVersion);
    expect(file).toContain('balances.current < 54.0');
    expect(file).not.toContain('profile.age > 23.0');
    expect(await staff.reviews.read(approver, scheduled.reviewId)).toMatchObject({ state: 'approved' });
    expect(await relay.relay()).toEqual({ rows: 0, promoted: 0 });
  });

  it('restores an earlier publication through the same path: that version is served again', async () => {
    await staff.reviews.restore(approver, first);
    const { outcome } = await relay.relay();
    expect(outcome).toMatchObject({ status: 'published', published: { ruleSetVersion: first } });
    expect(await latest()).toBe(first);
    expect(await staff.reviews.publications(approver)).toEqual(
      expect.arrayContaining([expect.objectContaining({ ruleSetVersion: first, restorable: true })]),
    );
    expect((await staff.reviews.publications(approver))[0]!.ruleSetVersion).toBe(first);
  });
});
