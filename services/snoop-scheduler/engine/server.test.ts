import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { RuleSetHolder } from '../src/domain/rule-sets';
import type { Admission } from './domain/run-fence';
import { createEngineServer, type EngineServerDependencies } from './server';

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
    refreshSecret: async () => 'the-secret-of-16-chars',
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

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const refresh = (secret?: string) =>
  call('POST', '/rules/refresh', {}, secret ? { authorization: `Bearer ${secret}` } : {});

describe('the engine over HTTP', () => {
  it('is not healthy and does not evaluate before a rule set is loaded', async () => {
    expect(await call('GET', '/health')).toEqual({
      status: 503,
      body: { status: 'loading', reason: 'loading the first rule set' },
    });
    expect((await call('POST', '/evaluate', { runId: 'r', customerId: 'c' })).status).toBe(503);
    expect((await call('GET', '/rules/version')).body).toEqual({ serving: null });
  });

  it('refreshes only with the secret, and reports a failed load without dropping the serving version', async () => {
    expect((await refresh()).status).toBe(401);
    expect((await refresh('the-wrong-secret-16')).status).toBe(401);
    const nothing = await refresh('the-secret-of-16-chars');
    expect(nothing).toMatchObject({ status: 422, body: { ok: false, reason: expect.stringMatching(/no rule set/) } });
    expect(failures).toContain('rule-set-load');
    published = true;
    expect(await refresh('the-secret-of-16-chars')).toMatchObject({
      status: 200,
      body: { ok: true, version: VERSION },
    });
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ready', rulesVersion: VERSION } });
    const bad = await call(
      'POST',
      '/rules/refresh',
      { version: 'NOT-HEX' },
      { authorization: 'Bearer the-secret-of-16-chars' },
    );
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
