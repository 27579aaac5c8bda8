/**
 * In AWS the platforms' credentials are SSM SecureStrings named by <NAME>_PARAMETER; the dispatcher reads
 * them at cold start through Powertools Parameters. Here against the local cloud's SSM (moto), through the
 * same client factory and configuration the Lambda uses.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { DeleteParametersCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsClientSettings, awsEnvironmentSchema, createSsmClient, loadConfig } from '@backbone/shared';
import { registrationCompletedV1, type MarketingEvent } from '../../contracts';
import { buildDestinations } from '../../src/composition-root';
import type { HttpTransport } from '../../src/domain/outcome';

const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
const prefix = `/lending-backbone/it-${randomUUID().slice(0, 8)}/marketing`;
let ssm: SSMClient;

beforeAll(async () => {
  ssm = createSsmClient(aws);
  for (const [name, value] of [
    ['meta-access-token', 'token-from-ssm'],
    ['ga4-api-secret', 'secret-from-ssm'],
    ['webhook-signing-key', 'key-from-ssm'],
  ])
    await ssm.send(new PutParameterCommand({ Name: `${prefix}/${name}`, Value: value, Type: 'SecureString' }));
});

afterAll(async () => {
  await ssm.send(
    new DeleteParametersCommand({
      Names: ['meta-access-token', 'ga4-api-secret', 'webhook-signing-key'].map((n) => `${prefix}/${n}`),
    }),
  );
  ssm.destroy();
});

it('reads each platform credential from its SSM SecureString, and says which setting is missing', async () => {
  const base = {
    ...process.env,
    DELIVERIES_TABLE: 'unused',
    DEAD_LETTER_QUEUE_NAME: 'unused',
    MAX_RECEIVE_COUNT: '5',
    DESTINATIONS: 'meta,ga4,webhook',
    META_DATASET_ID: '42',
    GA4_FIREBASE_APP_ID: '1:42:android:abc',
    WEBHOOK_URL: 'https://hooks.example.com/in',
    META_ACCESS_TOKEN_PARAMETER: `${prefix}/meta-access-token`,
    GA4_API_SECRET_PARAMETER: `${prefix}/ga4-api-secret`,
    WEBHOOK_SIGNING_KEY_PARAMETER: `${prefix}/webhook-signing-key`,
  };
  const sent: { url: string; body: string; headers: Record<string, string> }[] = [];
  const recording: HttpTransport = {
    async post(url, body, headers) {
      sent.push({ url, body, headers });
      return { status: 200, body: {} };
    },
  };
  const destinations = await buildDestinations(base, recording, () => createSsmClient(aws));
  const event = registrationCompletedV1.create({
    customer: { customerId: 'c-1' },
    device: {
      platform: 'ios',
      appId: 'a',
      appVersion: '1',
      osVersion: '17',
      appInstanceId: '0123456789abcdef0123456789abcdef',
      advertiserTrackingEnabled: true,
      applicationTrackingEnabled: true,
    },
  }) as MarketingEvent;
  for (const destination of destinations) {
    const prepared = destination.prepare(event, new Date());
    if (!prepared.ok) throw new Error(prepared.reason);
    await destination.send([prepared.payload]);
  }
  expect(JSON.parse(sent[0]!.body)).toMatchObject({ access_token: 'token-from-ssm' });
  expect(sent[1]!.url).toContain('api_secret=secret-from-ssm');
  // The receiver checks the signature with the key it shares (the one in SSM): HMAC-SHA256 of "<t>.<body>".
  const webhook = sent[2]!;
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(webhook.headers['x-signature'] ?? '') ?? [];
  const macUnder = (key: string) => createHmac('sha256', key).update(`${t}.${webhook.body}`).digest('hex');
  expect(v1).toBe(macUnder('key-from-ssm'));
  expect(v1).not.toBe(macUnder('sandbox-webhook-key'));

  const withoutKey = { ...base, WEBHOOK_SIGNING_KEY_PARAMETER: undefined };
  await expect(buildDestinations(withoutKey, recording, () => createSsmClient(aws))).rejects.toThrow(
    'set WEBHOOK_SIGNING_KEY (locally) or WEBHOOK_SIGNING_KEY_PARAMETER',
  );
});
