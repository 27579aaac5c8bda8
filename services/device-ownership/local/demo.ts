/**
 * npm start's story for device-ownership, through the running service: device events published to its queue (the
 * ingest Lambda writes them to Cassandra), sign-up checks through its signed HTTP API. A signs up and sells the phone;
 * B is admitted by the current rules where the legacy rule blocks; a fraud ring cycling accounts is stopped.
 */
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createSignedFetch,
  createSqsClient,
  loadConfig,
} from '@backbone/shared';
import {
  appInstalledV1,
  customerLoanDisbursedV1,
  customerLoanRepaidV1,
  fraudFlagRaisedV1,
  loginSucceededV1,
  signUpCompletedV1,
  type DeviceEvent,
} from '../contracts';
import type { LocalContext } from '@backbone/shared/local';
import { z } from 'zod';
import { openDeviceStores } from '../src/composition-root';
import type { DeviceRecord } from '../src/domain/device-record';
import type { SignUpCheckResult } from '../src/domain/signup-check';

const DAY_MS = 86_400_000;

export async function demoDevices(context: LocalContext, env: Record<string, string | undefined>): Promise<string[]> {
  const resolved = await context.serverless();
  const api = `http://127.0.0.1:${(resolved.custom['serverless-offline'] as { httpPort: number }).httpPort}`;
  const queueName = (resolved.custom['names'] as { deviceEventsQueue: string }).deviceEventsQueue;
  const aws = loadConfig(awsEnvironmentSchema.extend({ AWS_SECRET_ACCESS_KEY: z.string().min(1) }), env, 'device demo');
  const signed = createSignedFetch({
    credentials: { accessKeyId: 'npm-start-demo', secretAccessKey: aws.AWS_SECRET_ACCESS_KEY },
    region: aws.AWS_REGION,
  });
  const sqs = createSqsClient(awsClientSettings(aws));
  const stores = openDeviceStores(env);
  const run = Date.now().toString(36);
  const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
  const lines: string[] = [];
  try {
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl!;
    const publish = async (events: DeviceEvent[]) => {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: events.map((event, i) => ({ Id: String(i), MessageBody: JSON.stringify(event) })),
        }),
      );
    };
    const ingested = async (deviceId: string, ready: (record: DeviceRecord) => boolean) => {
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        if (ready(await stores.decisions.read(deviceId))) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(
        `device events for ${deviceId} were not ingested within 30 s: see .local-cloud/logs/offline-device-ownership.log`,
      );
    };
    const check = async (deviceId: string, applicantId: string, rules: 'current' | 'legacy' = 'current') => {
      const response = await signed(`${api}/devices/${deviceId}/signup-checks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ applicantId, rules, dryRun: rules === 'legacy' }),
      });
      if (response.status !== 200)
        throw new Error(`the sign-up check answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as SignUpCheckResult;
    };
    const said = (who: string, result: SignUpCheckResult) =>
      `${who} -> ${result.outcome}${result.stepUp ? ` (step-up: ${result.stepUp})` : ''}: ` +
      result.reasons.map((r) => `${r.code} (${r.message})`).join('; ');

    // A's phone: signed up 200 days ago, borrowed and repaid, last used 45 days ago; then sold.
    const phone = `demo-${run}-phone`;
    const [a, b] = [`demo-${run}-a`, `demo-${run}-b`];
    await publish([
      appInstalledV1.create(
        { deviceId: phone, installId: `${phone}-1`, platform: 'android' },
        { occurredAt: ago(200) },
      ),
      signUpCompletedV1.create({ deviceId: phone, customerId: a }, { occurredAt: ago(200) }),
      customerLoanDisbursedV1.create({ customerId: a, loanId: `${a}-loan` }, { occurredAt: ago(120) }),
      customerLoanRepaidV1.create({ customerId: a, loanId: `${a}-loan` }, { occurredAt: ago(60) }),
      loginSucceededV1.create({ deviceId: phone, customerId: a }, { occurredAt: ago(45) }),
    ]);
    await ingested(
      phone,
      (r) => r.owner?.customerId === a && r.standings.has(a) && (r.lastSeen.get(a)?.getTime() ?? 0) > ago(46).getTime(),
    );
    lines.push('A signed up on a phone 200 days ago, borrowed, repaid, last used it 45 days ago, and sold it to B.');
    lines.push(`  ${said('B on the legacy rule', await check(phone, b, 'legacy'))}`);
    const transfer = await check(phone, b);
    lines.push(`  ${said('B on the current rules', transfer)}${transfer.claimed ? '; the phone is now B\u2019s' : ''}`);

    // A ring cycles accounts through one phone; it is found out after its first account.
    const ringPhone = `demo-${run}-ring-phone`;
    const ring = (n: number) => `demo-${run}-ring-${n}`;
    lines.push('A fraud ring cycles new accounts through one phone:');
    lines.push(`  ${said('account 1', await check(ringPhone, ring(1)))}`);
    await publish([signUpCompletedV1.create({ deviceId: ringPhone, customerId: ring(1) })]);
    lines.push(`  ${said('account 2', await check(ringPhone, ring(2)))}`);
    await publish([
      fraudFlagRaisedV1.create({
        subject: { kind: 'device', deviceId: ringPhone },
        flagId: `${ringPhone}-flag`,
        reason: 'ring-velocity',
        expiresAt: new Date(Date.now() + 180 * DAY_MS).toISOString(),
        resetProof: true,
      }),
    ]);
    await ingested(ringPhone, (r) => r.deviceFlags.length > 0);
    lines.push(`  ${said('account 3, after the ring was flagged', await check(ringPhone, ring(3)))}`);
    return lines;
  } finally {
    sqs.destroy();
    await stores.close();
  }
}
