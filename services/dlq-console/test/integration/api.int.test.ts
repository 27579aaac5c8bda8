/**
 * The console's HTTP API in serverless-offline, behind the local stand-in for its Cognito authoriser: who is let
 * in, and what each role may do, checked through the same library the command line uses.
 */
import { generateKeyPairSync, createSign, randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { openQueue } from '@backbone/shared/testing';
import { localConsoleEnvironment, localSignIn, openConsoleStores, sweepDeadLetters } from '../../local';

const API = 'http://127.0.0.1:3050';
const DLQ = 'device-ownership-local-device-events-dlq';

const call = async (
  path: string,
  options: { token?: string; method?: string; body?: unknown; headers?: Record<string, string> } = {},
) => {
  const response = await fetch(`${API}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      ...(options.token ? { authorization: options.token } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json: json as Record<string, unknown>, headers: response.headers };
};

const as = (groups: string[]) => localSignIn({ email: 'ops@example.com', groups });
const stores = openConsoleStores(localConsoleEnvironment());
let sqs: SQSClient;
let dlqUrl: string;

beforeAll(async () => {
  ({ sqs, url: dlqUrl } = await openQueue(DLQ));
});
afterAll(() => sqs?.destroy());

describe('who gets in', () => {
  it('refuses a call without a token, with a token another key signed, and an expired one, saying how to sign in', async () => {
    const none = await call('/api/queues');
    expect(none.status).toBe(401);
    expect(none.text).toMatch(/carries no token.*Sign in/);

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [header, payload] = as(['dlq:read']).split('.');
    const forged = `${header}.${payload}.${createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url')}`;
    expect((await call('/api/queues', { token: forged })).status).toBe(401);

    const expired = localSignIn({ email: 'ops@example.com', groups: ['dlq:read'], validSeconds: -10 });
    const late = await call('/api/queues', { token: expired });
    expect(late.status).toBe(401);
    expect(late.text).toMatch(/expired/);
  });

  it('refuses serverless-offline’s authoriser override, which would let a caller choose its own claims', async () => {
    const overridden = await call('/api/queues', {
      token: as([]),
      headers: { 'sls-offline-authorizer-override': JSON.stringify({ claims: { 'cognito:groups': 'dlq:purge' } }) },
    });
    expect(overridden.status).toBe(403);
  });

  it('lets a signed-in reader list the DLQs, and tells someone with no console role which role to ask for', async () => {
    const listed = await call('/api/queues', { token: as(['dlq:read', 'other-app:admin']) });
    expect(listed.status).toBe(200);
    expect((listed.json as unknown as { name: string }[]).map((q) => q.name)).toContain(DLQ);
    const nobody = await call('/api/queues', { token: as(['other-app:admin']) });
    expect(nobody.status).toBe(403);
    expect(nobody.text).toMatch(/it takes the role dlq:read/);
  });
});

describe('what each role may do', () => {
  it('answers a reader’s purge with 403 naming the role, and a purger’s stale confirmation with 409 and the new plan', async () => {
    const refused = await call(`/api/queues/${DLQ}/purge`, {
      method: 'POST',
      token: as(['dlq:read']),
      body: { filter: { search: 'nothing-matches-this' }, confirm: 'x' },
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/may not purge dead letters: it takes the role dlq:purge/);
    const stale = await call(`/api/queues/${DLQ}/purge`, {
      method: 'POST',
      token: as(['dlq:read', 'dlq:purge']),
      body: { filter: { search: 'nothing-matches-this' }, confirm: 'what I saw an hour ago' },
    });
    expect(stale.status).toBe(409);
    expect(stale.json['plan']).toMatchObject({ selected: 0 });
  });

  it('exports as CSV to an exporter, masked; unmasked only with the role and a reason', async () => {
    // A dead letter carrying personal values, swept into the index as one the redrive policy moved.
    const planted = randomUUID().slice(0, 8);
    const email = `planted.${planted}@example.com`;
    const phone = `+44 7700 9${planted.replace(/\D/g, '0').slice(0, 5)}`;
    const customerId = `c-planted-${planted}`;
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: dlqUrl,
        MessageBody: JSON.stringify({
          id: `planted-${planted}`,
          type: 'LoginSucceeded',
          data: { customerId, email, phone },
        }),
      }),
    );
    await sweepDeadLetters(stores.queues, stores.index);

    const exportOf = (roles: string[], unmask = '') =>
      call(`/api/queues/${DLQ}/export?format=csv&ids=${MessageId}${unmask}`, { token: as(roles) });
    const exported = await exportOf(['dlq:export']);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = exported.text.split('\r\n').filter((line) => line !== '');
    expect(header).toBe('messageId,messageType,destinations,kind,failedAt,receiveCount,sourceQueue,reason,body');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(MessageId);
    for (const value of [email, phone, customerId, planted]) expect(rows[0]).not.toContain(value);

    // Unmasked: only for someone who may (and says why), and then every value is there.
    expect((await exportOf(['dlq:export'], '&unmask=incident 42')).status).toBe(403);
    const unmasked = await exportOf(['dlq:export', 'dlq:unmask'], '&unmask=incident 42');
    expect(unmasked.status).toBe(200);
    for (const value of [email, phone, customerId]) expect(unmasked.text).toContain(value);
  });

  it('answers a bad request or an unknown DLQ or route plainly', async () => {
    expect((await call(`/api/queues/${DLQ}/messages?older-than=soon`, { token: as(['dlq:read']) })).status).toBe(400);
    expect((await call('/api/queues/no-such-dlq/groups', { token: as(['dlq:read']) })).status).toBe(404);
    expect((await call('/api/nothing-here', { token: as(['dlq:read']) })).status).toBe(404);
    const badBody = await call(`/api/queues/${DLQ}/plan`, { method: 'POST', token: as(['dlq:read']), body: [1] });
    expect(badBody.status).toBe(400);
  });
});
