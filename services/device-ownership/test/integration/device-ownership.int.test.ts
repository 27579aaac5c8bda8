/**
 * device-ownership end to end against the real local Cassandra: device events published to the service's queue, written
 * by the ingest Lambda (serverless-offline, which Jest's global set-up starts), then sign-up checks through the
 * SigV4-signed HTTP API; the tables read back through the service's own client factory.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createSignedFetch,
  createSqsClient,
  loadConfig,
  ATTRIBUTE,
} from '@backbone/shared';
import {
  accountStandingChangedV1,
  appInstalledV1,
  customerLoanDisbursedV1,
  customerLoanRepaidV1,
  deviceResetSignalledV1,
  fraudFlagRaisedV1,
  loginSucceededV1,
  signUpAttemptedV1,
  signUpCompletedV1,
  type DeviceEvent,
} from '../../contracts';
import { waitFor, waitForQueueDrained } from '@backbone/shared/testing';
import { cassandraEnvironmentSchema, createCassandraClient } from '@backbone/shared/cassandra';
import type { Client } from 'cassandra-driver';
import { loadDevicePolicy, openDeviceStores, type DeviceStores } from '../../src/composition-root';
import { checkSignUp } from '../../src/domain/signup-check';
import { signLocalVerdict } from '../../local/attestation';
import { SignJWT, generateKeyPair } from 'jose';
import type { Attestation } from '../../contracts';

const API = 'http://127.0.0.1:3020';
const QUEUE = 'device-ownership-local-device-events';
const DLQ = 'device-ownership-local-device-events-dlq';
const run = randomUUID().slice(0, 8);
const id = (name: string): string => `it-${run}-${name}`;
const DAY_MS = 86_400_000;
const DAY_S = 86_400;
const ago = (days: number, minutes = 0): string =>
  new Date(Date.now() - days * DAY_MS + minutes * 60_000).toISOString();

let sqs: SQSClient;
let stores: DeviceStores;
/** For what the stores do not read back (an entry's TTL): the client factory the service uses. */
let cassandra: Client;
let queueUrl: string;
let dlqUrl: string;
const aws = loadConfig(awsEnvironmentSchema);
const signed = createSignedFetch({
  credentials: { accessKeyId: 'integration-test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
  region: aws.AWS_REGION,
});

beforeAll(async () => {
  sqs = createSqsClient(awsClientSettings(aws));
  stores = openDeviceStores({ ...process.env, CASSANDRA_KEYSPACE: 'device_ownership' });
  cassandra = createCassandraClient(
    loadConfig(cassandraEnvironmentSchema, { ...process.env, CASSANDRA_KEYSPACE: 'device_ownership' }),
  );
  queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
});

afterAll(async () => {
  sqs?.destroy();
  await stores?.close();
  await cassandra?.shutdown();
});

async function publish(bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
    expect(Failed).toEqual([]);
  }
}

const publishEvents = (events: readonly DeviceEvent[]) => publish(events.map((event) => JSON.stringify(event)));

/** The decision's JSON, as far as these tests read it. */
interface CheckAnswer {
  [key: string]: unknown;
  outcome?: string;
  claimed?: boolean;
  message?: string;
  reasons?: { code: string }[];
}

async function check(deviceId: string, body: unknown): Promise<{ status: number; body: CheckAnswer }> {
  const response = await signed(`${API}/devices/${encodeURIComponent(deviceId)}/signup-checks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as CheckAnswer };
  } catch {
    // serverless-offline answers a function that failed or timed out with an empty body.
    throw new Error(
      `sign-up check answered ${response.status} with ${text ? `"${text.slice(0, 200)}"` : 'an empty body'}: ` +
        'see .local-cloud/logs/offline-device-ownership.log',
    );
  }
}

/** A verdict shaped as the verdict service's, signed with a key of the forger's own. */
async function forgedVerdict(deviceId: string, attestation: Attestation): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ attestation })
    .setProtectedHeader({ alg: 'ES256', kid: 'local' })
    .setIssuer('attestation-verdicts')
    .setSubject(deviceId)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}

/** Waits until the device's row satisfies `ready` (ingest is asynchronous: the queue, then the Lambda). */
/**
 * The seconds each customer's entry in the device's window has left (Cassandra 5 reads a map entry's TTL, though not
 * with a bind marker for the key: Cassandra 5.0.6 fails with a ClassCastException, so the test's own ids go inline).
 */
async function windowTtls(deviceId: string, customerIds: readonly string[]): Promise<(number | null)[]> {
  const literal = (value: string) => `'${value.replaceAll("'", "''")}'`;
  const columns = customerIds.map((c, i) => `TTL(accounts_in_window[${literal(c)}]) AS t${i}`).join(', ');
  const query = `SELECT ${columns} FROM current_owner_by_device WHERE device_id = ?`;
  const row = (await cassandra.execute(query, [deviceId])).first();
  return customerIds.map((_, i) => (row?.[`t${i}`] as number | null | undefined) ?? null);
}

const rowWhere = (
  deviceId: string,
  ready: (record: Awaited<ReturnType<DeviceStores['decisions']['read']>>) => boolean,
) =>
  waitFor(
    `device ${deviceId} ingested`,
    async () => {
      const record = await stores.decisions.read(deviceId);
      return ready(record) ? record : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );

describe('device-ownership against the local Cassandra', () => {
  it('ingests a seller\u2019s life with a phone, then lets the second-hand buyer in where the legacy rule blocks', async () => {
    const phone = id('sold-phone');
    const [seller, buyer] = [id('seller'), id('buyer')];
    const lastLogin = ago(60);
    await publishEvents([
      appInstalledV1.create({ deviceId: phone, installId: id('i1'), platform: 'android' }, { occurredAt: ago(200) }),
      signUpCompletedV1.create({ deviceId: phone, customerId: seller }, { occurredAt: ago(200, 5) }),
      customerLoanDisbursedV1.create({ customerId: seller, loanId: id('l1') }, { occurredAt: ago(150) }),
      customerLoanRepaidV1.create({ customerId: seller, loanId: id('l1') }, { occurredAt: ago(90) }),
      loginSucceededV1.create({ deviceId: phone, customerId: seller }, { occurredAt: lastLogin }),
    ]);
    const record = await rowWhere(
      phone,
      (r) => r.owner !== undefined && r.lastSeen.get(seller)?.toISOString() === lastLogin && r.standings.has(seller),
    );
    expect(record.owner?.customerId).toBe(seller);

    // The legacy rule, asked as the shadow comparison it may only be (a dry run; it never binds).
    const legacy = await check(phone, { applicantId: buyer, rules: 'legacy', dryRun: true });
    expect(legacy).toMatchObject({
      status: 200,
      body: { outcome: 'block', claimed: false, rulesVersion: 'legacy-v1' },
    });
    const current = await check(phone, { applicantId: buyer });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({
      outcome: 'allow_transfer',
      reasons: [{ code: 'owner_inactive' }],
      claimed: true,
      // The seller in coarse facts: neither their dates nor their loans.
      evidence: {
        owner: 'another customer',
        facts: ['owner_account_older_than_window', 'owner_inactive_beyond_cool_down'],
      },
    });
    expect(JSON.stringify(current.body['evidence'])).not.toMatch(/\d{4}-\d{2}-\d{2}|Loans|Arrears/);
    expect(current.body['rulesVersion']).toMatch(/^device-rules-v2;cool-down=30d/);
    const history = await stores.history(phone);
    expect(history.map((h) => [h.ownerId, h.previousOwnerId, h.via])).toEqual([
      [buyer, seller, 'transfer'],
      [seller, undefined, 'claim'],
    ]);
    expect((await stores.devicesOfCustomer(buyer)).map((d) => d.deviceId)).toEqual([phone]);
  });

  it('lets exactly one of 100 concurrent claims on a free device win, with a history that agrees', async () => {
    // 100 at once through the domain and the service's own Cassandra store (serverless-offline starts a worker per
    // concurrent request: 100 cold starts on two cores outlast the function's timeout), then a race over HTTP.
    const phone = id('contested');
    const applicants = Array.from({ length: 100 }, (_, i) => id(`applicant-${i}`));
    const deps = { store: stores.decisions, policy: loadDevicePolicy({}) };
    const results = await Promise.all(
      applicants.map((customerId) => checkSignUp(deps, { deviceId: phone, applicant: { customerId } })),
    );
    const winners = results.filter((r) => r.claimed);
    expect(winners).toHaveLength(1);
    const winner = applicants[results.indexOf(winners[0]!)];
    expect((await stores.decisions.read(phone)).owner?.customerId).toBe(winner);
    expect((await stores.history(phone)).map((h) => h.ownerId)).toEqual([winner]);
    expect((await stores.devicesOfCustomer(winner!)).map((d) => d.deviceId)).toEqual([phone]);
    for (const loser of results.filter((r) => !r.claimed)) {
      expect(loser.outcome).not.toMatch(/^allow/);
      expect(loser.reasons[0]!.code).toBe('lost_concurrent_claim');
    }

    const raced = id('raced-over-http');
    const racers = Array.from({ length: 10 }, (_, i) => id(`racer-${i}`));
    // serverless-offline starts a worker per concurrent request; ten cold starts at once on two busy cores can
    // outlast the function's timeout, and this race is about the claim, not cold starts: warm ten workers first with
    // dry runs (they bind nothing), a second round for any that did not answer.
    for (let round = 0; round < 2; round++) {
      const warm = await Promise.allSettled(
        racers.map(() => check(id('warm-up'), { applicantId: id('w'), dryRun: true })),
      );
      if (warm.every((w) => w.status === 'fulfilled' && w.value.status === 200)) break;
    }
    const answers = await Promise.all(racers.map((applicantId) => check(raced, { applicantId })));
    expect(answers.map((a) => a.status)).toEqual(racers.map(() => 200));
    const won = answers.filter((a) => a.body['claimed'] === true);
    expect(won).toHaveLength(1);
    expect((await stores.history(raced)).map((h) => h.ownerId)).toEqual([racers[answers.indexOf(won[0]!)]]);
  });

  it('takes a sign-up completed after the check bound the phone as it is: no second claim, no second history entry', async () => {
    const phone = id('checked-phone');
    const customer = id('new-customer');
    const answer = await check(phone, { applicantId: customer });
    expect(answer.body).toMatchObject({ claimed: true });
    const completedAt = new Date().toISOString();
    await publishEvents([
      signUpCompletedV1.create({ deviceId: phone, customerId: customer }, { occurredAt: completedAt }),
    ]);
    const record = await rowWhere(phone, (r) => r.lastSeen.get(customer)?.toISOString() === completedAt);
    expect(record.owner?.customerId).toBe(customer);
    expect((await stores.history(phone)).map((h) => [h.ownerId, h.via])).toEqual([[customer, 'claim']]);
  });

  it('converges on the same row from duplicated and out-of-order events', async () => {
    const [inOrder, scrambled] = [id('in-order'), id('scrambled')];
    const customer = id('owner');
    const t = {
      installed: ago(50),
      signedUp: ago(50, 1),
      arrears: ago(40),
      login: ago(30),
      good: ago(20),
      reset: ago(10),
    };
    const events = (deviceId: string) => [
      appInstalledV1.create({ deviceId, installId: id('i'), platform: 'ios' }, { occurredAt: t.installed }),
      signUpCompletedV1.create({ deviceId, customerId: customer }, { occurredAt: t.signedUp }),
      accountStandingChangedV1.create({ customerId: customer, standing: 'arrears' }, { occurredAt: t.arrears }),
      loginSucceededV1.create({ deviceId, customerId: customer }, { occurredAt: t.login }),
      accountStandingChangedV1.create({ customerId: customer, standing: 'good' }, { occurredAt: t.good }),
      deviceResetSignalledV1.create(
        { deviceId, signal: 'new-install-id', installId: id('j') },
        { occurredAt: t.reset },
      ),
    ];
    // Every event of the story has landed: each one's mark is on the row.
    const whole = (r: Awaited<ReturnType<DeviceStores['decisions']['read']>>) =>
      r.owner !== undefined &&
      r.platform !== undefined &&
      r.lastResetAt?.toISOString() === t.reset &&
      r.lastSeen.get(customer)?.toISOString() === t.login &&
      r.standings.get(customer)?.inArrears === false;
    await publishEvents(events(inOrder));
    const a = await rowWhere(inOrder, whole);
    // The same story on another device, newest first and every event twice (a redelivery, a replay).
    const reversed = [...events(scrambled)].reverse();
    await publishEvents([...reversed, ...reversed]);
    await rowWhere(scrambled, whole);
    // Every copy landed (the queue empty, in flight included), then compare: the same row but for its id and when its
    // owner claimed it.
    await waitForQueueDrained(sqs, queueUrl);
    const b = await stores.decisions.read(scrambled);
    const comparable = (r: typeof a) => ({ ...r, deviceId: undefined, owner: { customerId: r.owner?.customerId } });
    expect(comparable(b)).toEqual(comparable(a));
    expect(b.lastResetAt?.toISOString()).toBe(t.reset);
    expect(b.lastSeen.get(customer)?.toISOString()).toBe(t.login);
    // Back in good standing, though "arrears" arrived after "good".
    expect(b.standings.get(customer)?.inArrears).toBe(false);
  });

  it('keeps an account in the window for what is left of the window (ingested through the queue)', async () => {
    const phone = id('ttl');
    // Seen ten minutes short of the 30-day window: its entry is written with about 600 s left to live, whatever the
    // queue and a cold Lambda took (the arithmetic itself is the store's unit test, with an injected clock).
    await publishEvents([
      signUpAttemptedV1.create({ deviceId: phone, customerId: id('old') }, { occurredAt: ago(30, 10) }),
      signUpAttemptedV1.create({ deviceId: phone, customerId: id('new') }, { occurredAt: ago(1) }),
    ]);
    await rowWhere(phone, (r) => r.accountsInWindow.size === 2);
    const ttls = await windowTtls(phone, [id('old'), id('new')]);
    // Margins of three minutes for the trip through the queue; the TTL only ever shrinks.
    expect(ttls[0]).toBeLessThanOrEqual(600);
    expect(ttls[0]).toBeGreaterThan(600 - 180);
    expect(ttls[1]).toBeLessThanOrEqual(29 * DAY_S);
    expect(ttls[1]).toBeGreaterThan(29 * DAY_S - 180);
  });

  it('forgets an account once its window has passed (Cassandra expiring the entry)', async () => {
    const phone = id('ttl-expiry');
    // Written straight through the store with a frozen clock: the entry has exactly 5 s left, however busy the machine.
    const now = new Date();
    const frozen = openDeviceStores({ ...process.env, CASSANDRA_KEYSPACE: 'device_ownership' }, { clock: () => now });
    try {
      const seenAt = new Date(now.getTime() - 30 * DAY_MS + 5_000);
      await frozen.events.recordSeen(phone, id('leaving'), seenAt, { activity: false, windowDays: 30 });
      await frozen.events.recordSeen(phone, id('staying'), new Date(now.getTime() - DAY_MS), {
        activity: false,
        windowDays: 30,
      });
    } finally {
      await frozen.close();
    }
    const [leaving] = await windowTtls(phone, [id('leaving')]);
    expect(leaving).toBeLessThanOrEqual(5);
    const lapsed = await waitFor(
      'the entry written with 5 s to live to expire',
      async () => {
        const record = await stores.decisions.read(phone);
        return record.accountsInWindow.size === 1 ? record : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    expect([...lapsed.accountsInWindow.keys()]).toEqual([id('staying')]);
  });

  it('blocks a fraud-flagged device and sends a device cycling accounts to a document check', async () => {
    const [flagged, ring] = [id('flagged'), id('ring')];
    await publishEvents([
      fraudFlagRaisedV1.create(
        {
          subject: { kind: 'device', deviceId: flagged },
          flagId: id('f'),
          reason: 'ring-velocity',
          expiresAt: ago(-90),
        },
        { occurredAt: ago(1) },
      ),
      ...[1, 2, 3].map((n) =>
        signUpAttemptedV1.create({ deviceId: ring, customerId: id(`ring-${n}`) }, { occurredAt: ago(n) }),
      ),
    ]);
    await rowWhere(flagged, (r) => r.deviceFlags.length === 1);
    await rowWhere(ring, (r) => r.accountsInWindow.size === 3);
    expect((await check(flagged, { applicantId: id('x') })).body).toMatchObject({
      outcome: 'block',
      reasons: [{ code: 'device_fraud_flag' }],
      claimed: false,
    });
    expect((await check(ring, { applicantId: id('ring-4') })).body).toMatchObject({
      outcome: 'review',
      stepUp: 'document_check',
      evidence: { accountsInWindow: 4 },
    });
  });

  it('lets only a verified attestation verdict clear a reset-proof marker: the applicant’s own word cannot', async () => {
    const phone = id('reset-proof');
    // A flag backed by the reset-proof marker, then a reset: the marker says the flag follows the phone.
    await publishEvents([
      fraudFlagRaisedV1.create(
        {
          subject: { kind: 'device', deviceId: phone },
          flagId: id('rp'),
          reason: 'chargeback',
          expiresAt: ago(-90),
          resetProof: true,
        },
        { occurredAt: ago(10) },
      ),
      deviceResetSignalledV1.create(
        {
          deviceId: phone,
          signal: 'attestation',
          attestation: { resetProofFlag: { set: true, writtenAt: ago(10) } },
        },
        { occurredAt: ago(2) },
      ),
    ]);
    await rowWhere(phone, (r) => r.deviceFlags.length === 1 && r.lastResetAt !== undefined);
    const cleared = { resetProofFlag: { set: false, writtenAt: ago(0, -1) } };
    // The verdict service's own verdict (its first signature makes the local stand-in's keys).
    const genuine = await signLocalVerdict(phone, cleared);
    // The app's word that the marker is gone: still blocked.
    expect((await check(phone, { applicantId: id('buyer'), attestation: cleared, dryRun: true })).body).toMatchObject({
      outcome: 'block',
    });
    // A verdict signed by someone else: refused, naming the field.
    const forged = await check(phone, {
      applicantId: id('buyer'),
      attestationVerdict: await forgedVerdict(phone, cleared),
      dryRun: true,
    });
    expect(forged.status).toBe(400);
    expect(forged.body['message']).toMatch(/^attestationVerdict: the attestation verdict was not verified/);
    // A verdict for another device: refused too.
    const elsewhere = await check(phone, {
      applicantId: id('buyer'),
      attestationVerdict: await signLocalVerdict(id('another-phone'), cleared),
      dryRun: true,
    });
    expect(elsewhere.status).toBe(400);
    // The verdict service's own, for this phone: the marker is cleared, and the flag stays with the phone's past.
    const verified = await check(phone, {
      applicantId: id('buyer'),
      attestationVerdict: genuine,
      dryRun: true,
    });
    expect(verified.body).toMatchObject({ outcome: 'allow', evidence: { flagsLeftByReset: 1 } });
  });

  it('answers a malformed request with a 400 naming the field, and an unknown device as free', async () => {
    const bad = await check(id('any'), { applicantId: 'has spaces' });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/^applicantId: /);
    const notJson = await check(id('any'), '{');
    expect(notJson.status).toBe(400);
    const unknown = await check(id('never-seen'), { applicantId: id('someone'), dryRun: true });
    expect(unknown.body).toMatchObject({ outcome: 'allow', reasons: [{ code: 'device_free' }], claimed: false });
  });

  it('puts an invalid event in the DLQ with its reason, and writes its siblings', async () => {
    const phone = id('siblings');
    const invalidId = id('invalid');
    await publish([
      JSON.stringify(appInstalledV1.create({ deviceId: phone, installId: id('i'), platform: 'android' })),
      JSON.stringify({
        id: invalidId,
        type: 'AppInstalled',
        version: 1,
        occurredAt: ago(0),
        correlationId: invalidId,
        data: { deviceId: phone },
      }),
      JSON.stringify(signUpAttemptedV1.create({ deviceId: phone, customerId: id('c') })),
    ]);
    await rowWhere(phone, (r) => r.platform === 'android' && r.accountsInWindow.size === 1);
    const deadLetter = await waitFor(
      'the invalid event in the DLQ',
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 1,
            VisibilityTimeout: 0,
          }),
        );
        return Messages.find((m) => m.Body?.includes(invalidId));
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(deadLetter.MessageAttributes?.[ATTRIBUTE.failureKind]?.StringValue).toBe('permanent');
    expect(deadLetter.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue).toMatch(
      /AppInstalled v1 message ref [0-9a-f]{12} is invalid: data.installId: .*data.platform/,
    );
  });
});
