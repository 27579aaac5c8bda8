import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { RuleSetHolder } from '../src/domain/rule-sets';
import type { Admission } from './domain/run-fence';
import { createEngineServer, type EngineServerDependencies } from './server';
import { createSignatureVerifier, signatureHeaders, SIGNATURE_HEADERS } from '@backbone/shared';

const SECRET = 'the-secret-of-16-chars';

const TEXT =
  'snoop "adults" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ' +
  'when: profile.age >= 18.0 score: 0.5 }\n';
const VERSION = createHash('sha256').update(TEXT).digest('hex');

let server: http.Server;
let base: string;
let published = false;
let admission: Admission = { admitted: true };
let readFails = false;
const failures: string[] = [];
const logged: string[] = [];

beforeAll(async () => {
  const rules = new RuleSetHolder({
    currency: 'GBP',
    source: {
      active: async () =>
        published
          ? {
              ruleSetVersion: VERSION,
              bucket: 'b',
              key: 'k',
              checksumSha256: VERSION,
              ruleCount: 1,
              publishedAt: '2026-11-30T00:00:00.000Z',
              publishedBy: 't',
            }
          : undefined,
      version: async () => undefined,
      fetch: async () => new TextEncoder().encode(TEXT),
    },
  });
  const deps: EngineServerDependencies = {
    rules,
    readCustomers: async (ids) => {
      if (readFails) throw new Error('connection refused by 10.0.0.7 for customer cust-1');
      return new Map(ids.map((id) => [id, sampleCustomer(1)]));
    },
    results: { write: async (items) => ({ written: items.length }) },
    fence: { admit: async () => admission },
    verifySignature: createSignatureVerifier({ secrets: async () => [SECRET, 'the-previous-secret-16'] }),
    maxWindowDays: 400,
    metrics: { evaluated: () => undefined, failed: (kind) => failures.push(kind) },
    logger: {
      info: () => undefined,
      warn: () => undefined,
      error: (message: string, details?: unknown) => logged.push(`${message} ${JSON.stringify(details)}`),
    } as never,
  };
  server = createEngineServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A request, signed with `secret` (the engine's, unless said; null: unsigned) as the invoke and refresh steps sign. */
const call = async (
  method: string,
  path: string,
  body?: unknown,
  options: { secret?: string | null; headers?: Record<string, string>; at?: number } = {},
) => {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const secret = options.secret === undefined ? SECRET : options.secret;
  const signed = secret === null ? {} : signatureHeaders(secret, { method, path, body: text }, options.at);
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...signed, ...options.headers },
    ...(body === undefined ? {} : { body: text }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const refresh = (secret?: string | null) => call('POST', '/rules/refresh', {}, { secret });

describe('the engine over HTTP', () => {
  it('answers an unsigned, wrongly signed, altered, stale or replayed request with 401 and no data; /health to all', async () => {
    const ask = { runId: 'r', customerId: 'cust-1', ruleIds: ['x'], dryRun: true };
    const refused = async (answer: Promise<{ status: number; body: Record<string, unknown> }>) => {
      const { status, body } = await answer;
      expect(status).toBe(401);
      expect(Object.keys(body)).toEqual(['error']);
      expect(String(body['error'])).toMatch(/^the engine answers signed requests only: /);
      return String(body['error']);
    };
    expect(await refused(call('POST', '/evaluate', ask, { secret: null }))).toMatch(/unsigned/);
    expect(await refused(call('GET', '/rules/version', undefined, { secret: null }))).toMatch(/unsigned/);
    expect(await refused(call('POST', '/evaluate', ask, { secret: 'someone-elses-secret' }))).toMatch(/does not match/);
    // A body changed after signing: the signature was for another.
    const signed = signatureHeaders(SECRET, { method: 'POST', path: '/evaluate', body: JSON.stringify(ask) });
    const altered = await fetch(`${base}/evaluate`, {
      method: 'POST',
      headers: signed,
      body: JSON.stringify({ ...ask, customerId: 'cust-2' }),
    });
    expect(altered.status).toBe(401);
    expect(await refused(call('POST', '/evaluate', ask, { at: Date.now() - 10 * 60_000 }))).toMatch(
      /more than 5 minutes/,
    );
    // The same signed request twice: the second is a replay.
    const once = signatureHeaders(SECRET, { method: 'GET', path: '/rules/version', body: '' });
    expect((await fetch(`${base}/rules/version`, { headers: once })).status).toBe(200);
    const again = await fetch(`${base}/rules/version`, { headers: once });
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: expect.stringMatching(/a replay/) });
    expect(Object.values(SIGNATURE_HEADERS)).toEqual(['x-backbone-time', 'x-backbone-nonce', 'x-backbone-signature']);
    // Two identical requests signed in the same millisecond are two requests (their nonces differ), not a replay.
    const at = Date.now();
    const twins = await Promise.all([1, 2].map(() => call('GET', '/rules/version', undefined, { at })));
    expect(twins.map((t) => t.status)).toEqual([200, 200]);
    expect((await call('GET', '/health', undefined, { secret: null })).status).not.toBe(401);
  });

  it('is not healthy and does not evaluate before a rule set is loaded', async () => {
    expect(await call('GET', '/health')).toEqual({
      status: 503,
      body: { status: 'loading', reason: 'loading the first rule set' },
    });
    expect((await call('POST', '/evaluate', { runId: 'r', customerId: 'c' })).status).toBe(503);
    expect((await call('GET', '/rules/version')).body).toEqual({ serving: null });
  });

  it('refreshes only with the secret, and reports a failed load without dropping the serving version', async () => {
    expect((await refresh(null)).status).toBe(401);
    expect((await refresh('the-wrong-secret-16')).status).toBe(401);
    const nothing = await refresh(SECRET);
    expect(nothing).toMatchObject({ status: 422, body: { ok: false, reason: expect.stringMatching(/no rule set/) } });
    expect(failures).toContain('rule-set-load');
    published = true;
    // Signed with the previous secret (a rotation settling): taken too.
    expect(await refresh('the-previous-secret-16')).toMatchObject({
      status: 200,
      body: { ok: true, version: VERSION },
    });
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ready', rulesVersion: VERSION } });
    const bad = await call('POST', '/rules/refresh', { version: 'NOT-HEX' });
    expect(bad).toMatchObject({ status: 400, body: { error: expect.stringMatching(/version: a rule set version/) } });
  });

  it('scores and names the version it used', async () => {
    const { status, body } = await call('POST', '/evaluate', {
      runId: 'r',
      customerId: 'c',
      on: '2026-11-30',
      includeResults: true,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ rulesVersion: VERSION, evaluated: 1, written: 1, results: [{ ruleId: 'adults' }] });
  });

  it('answers a bad request with what was wrong', async () => {
    expect(await call('POST', '/evaluate', '{"runId": ')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^the body is not JSON/) },
    });
    expect(await call('POST', '/evaluate', { runId: 'r', customerId: 7 })).toMatchObject({
      status: 400,
      body: { error: 'invalid request: customerId: Invalid input: expected string, received number' },
    });
    expect(await call('GET', '/nowhere')).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/POST \/evaluate/) },
    });
    const huge = await fetch(`${base}/evaluate`, { method: 'POST', body: 'x'.repeat(5 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });

  it('answers 409 for a run the fence refuses, so the caller drops it', async () => {
    admission = { admitted: false, reason: 'superseded', message: 'run r is not the current run' };
    const { status, body } = await call('POST', '/evaluate', { runId: 'r', customerId: 'c' });
    admission = { admitted: true };
    expect(status).toBe(409);
    expect(body).toEqual({ error: 'run r is not the current run', reason: 'superseded' });
  });

  it('answers 503 (retry) when a dependency fails, with an error id and no details of it', async () => {
    readFails = true;
    const { status, body } = await call('POST', '/evaluate', { runId: 'r', customerId: 'c' });
    readFails = false;
    expect(status).toBe(503);
    expect(body).toEqual({
      error: expect.stringMatching(/^the engine could not finish the request \(error \w+\); retry it$/),
      retryable: true,
    });
    expect(JSON.stringify(body)).not.toMatch(/10\.0\.0\.7|cust-1/);
    expect(logged.at(-1)).toMatch(/request failed/);
  });
});
