/**
 * The definitions API as serverless-offline serves it (Jest's global set-up starts the services), signed in with
 * the local stand-in of the company's staff user pool (dlq-console's local identity provider, as the console signs
 * in): its rules: groups are the roles, and a request with no token, an expired one or the wrong groups is refused.
 * Its snoops are drafts of ids of its own in the application's schema, removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { localSignIn } from '@backbone/dlq-console/local';
import { seedCatalogue } from '@backbone/rules-ingestion/local/catalogue';

const API = 'http://127.0.0.1:3040';
const RUN = `it-${randomUUID().slice(0, 8)}`;
const energy = seedCatalogue().find((s) => s.id === 'energy-switch')!;
/** What a person fills in for a new snoop (the seed's energy snoop, under an id of this run's). */
const draft = (id: string) => {
  const { name, audience, contentRef, validFrom, condition, score } = energy;
  return { id, name, audience, contentRef, validFrom, condition, score };
};
const EDITOR = ['rules:read', 'rules:edit'];
let pool: PostgresPool;

const call = async (method: string, path: string, token?: string, body?: unknown) => {
  const response = await fetch(`${API}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const as = (email: string, groups: string[], validSeconds?: number) => localSignIn({ email, groups, validSeconds });

beforeAll(() => {
  pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
});

afterAll(async () => {
  await pool.query(`DELETE FROM snoop_definitions WHERE id LIKE $1`, [`${RUN}%`]);
  await pool.end();
});

describe('the definitions API over HTTP', () => {
  it('lets a signed-in editor create, change and read a draft, and refuses a change made on an old version', async () => {
    const edith = as('edith@example.com', EDITOR);
    const omar = as('omar@example.com', EDITOR);
    const id = `${RUN}-draft`;
    const created = await call('POST', '/snoops', edith, draft(id));
    expect(created).toMatchObject({ status: 201, body: { snoop: { id, status: 'draft', version: 1 } } });
    expect(created.body.savedBy).toBe('edith@example.com');
    expect(
      await call('PUT', `/snoops/${id}`, edith, { expectedVersion: 1, changes: { name: 'Energy spend is high' } }),
    ).toMatchObject({ status: 200, body: { snoop: { version: 2 } } });
    expect(
      await call('PUT', `/snoops/${id}`, omar, { expectedVersion: 1, changes: { when: 'profile.age > 30.0' } }),
    ).toMatchObject({
      status: 409,
      body: {
        currentVersion: 2,
        savedBy: 'edith@example.com',
        changesSince: [{ field: 'name', from: energy.name, to: 'Energy spend is high' }],
      },
    });
    const read = await call('GET', `/snoops/${id}`, omar);
    expect(read).toMatchObject({ status: 200, body: { snoop: { name: 'Energy spend is high' } } });
    const history = await call('GET', `/snoops/${id}/history`, omar);
    expect((history.body as unknown as { savedBy: string }[]).map((h) => h.savedBy)).toEqual([
      'edith@example.com',
      'edith@example.com',
    ]);
  });

  it('refuses a request with no token, an expired one, or without the role, saying what to do', async () => {
    expect(await call('GET', '/snoops')).toMatchObject({
      status: 401,
      body: { message: expect.stringContaining('Sign in') },
    });
    expect(await call('GET', '/snoops', as('edith@example.com', EDITOR, -10))).toMatchObject({
      status: 401,
      body: { message: expect.stringContaining('the token has expired') },
    });
    expect(await call('GET', '/snoops', as('ops@example.com', ['dlq:read']))).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('it takes the role rules:read') },
    });
    expect(await call('POST', '/snoops', as('rita@example.com', ['rules:read']), draft(`${RUN}-x`))).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('takes the role rules:edit') },
    });
  });
});
