import { readFileSync } from 'node:fs';
import type { StoredSnoop } from '@backbone/rules-language';
import { createLogger } from '@backbone/shared';
import { apiGatewayEvent } from '@backbone/shared/testing';
import { SEED_CATALOGUE } from '../../cli';
import { snoopDefinitions } from '../../domain/definitions';
import { editableFields, memoryDefinitionStore } from '../../domain/definitions.fixtures';
import { createSnoopDefinitionsHandler } from './handler';

const energy = (JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredSnoop[]).find(
  (s) => s.id === 'energy-switch',
)!;

/** A request as the Cognito authoriser passes it on: the caller's claims, their groups among them. */
const request = (method: string, path: string, groups: string[] | undefined, body?: unknown) => {
  const event = apiGatewayEvent({ method, path, body: body === undefined ? null : JSON.stringify(body) });
  event.requestContext.authorizer =
    groups === undefined
      ? undefined
      : {
          claims: {
            sub: 'sub-1',
            email: 'edith@example.com',
            email_verified: 'true',
            'cognito:groups': groups.join(','),
          },
        };
  return event;
};
const EDITOR = ['rules:read', 'rules:edit', 'dlq:read'];

const setUp = () =>
  createSnoopDefinitionsHandler({
    definitions: snoopDefinitions(memoryDefinitionStore()),
    logger: createLogger('test'),
  });
const answer = async (handler: ReturnType<typeof setUp>, ...args: Parameters<typeof request>) => {
  const result = await handler(request(...args));
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
};

describe('the snoop definitions over HTTP', () => {
  it('creates, reads, changes, retires and tells the history, as the signed-in person', async () => {
    const handler = setUp();
    const created = await answer(handler, 'POST', '/snoops', EDITOR, { ...editableFields(energy), id: 'mine' });
    expect(created).toMatchObject({
      status: 201,
      body: { snoop: { id: 'mine', version: 1 }, savedBy: 'edith@example.com' },
    });
    expect(await answer(handler, 'GET', '/snoops/mine', EDITOR)).toMatchObject({
      status: 200,
      body: { text: { when: expect.stringContaining('energy') } },
    });
    const changed = await answer(handler, 'PUT', '/snoops/mine', EDITOR, {
      expectedVersion: 1,
      changes: { when: 'profile.age >= 30.0', score: '0.5' },
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { snoop: { version: 2 }, text: { when: 'profile.age >= 30.0' } },
    });
    expect(await answer(handler, 'POST', '/snoops/mine/retirement', EDITOR, { expectedVersion: 2 })).toMatchObject({
      status: 200,
      body: { snoop: { status: 'retired', version: 3 } },
    });
    const history = await answer(handler, 'GET', '/snoops/mine/history', EDITOR);
    expect((history.body as unknown as { version: number }[]).map((h) => h.version)).toEqual([1, 2, 3]);
    expect((await answer(handler, 'GET', '/snoops/', EDITOR)).body).toEqual([
      expect.objectContaining({ id: 'mine', status: 'retired', version: 3 }),
    ]);
  });

  it('answers each refusal with its status and words', async () => {
    const handler = setUp();
    await answer(handler, 'POST', '/snoops', EDITOR, { ...editableFields(energy), id: 'taken' });
    expect(await answer(handler, 'GET', '/snoops', undefined)).toEqual({
      status: 401,
      body: { message: 'sign in with the staff user pool: no caller in this request' },
    });
    expect(await answer(handler, 'GET', '/snoops', ['dlq:read'])).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('edith@example.com may not list snoops: it takes the role rules:read') },
    });
    expect(await answer(handler, 'GET', '/snoops/nope', EDITOR)).toMatchObject({ status: 404 });
    expect(await answer(handler, 'POST', '/snoops', EDITOR, { ...editableFields(energy), id: 'taken' })).toMatchObject({
      status: 409,
      body: { message: expect.stringContaining('exists already') },
    });
    await answer(handler, 'PUT', '/snoops/taken', EDITOR, { expectedVersion: 1, changes: { name: 'Newer' } });
    expect(
      await answer(handler, 'PUT', '/snoops/taken', EDITOR, { expectedVersion: 1, changes: { name: 'Older' } }),
    ).toMatchObject({
      status: 409,
      body: {
        currentVersion: 2,
        savedBy: 'edith@example.com',
        changesSince: [{ field: 'name', from: energy.name, to: 'Newer' }],
      },
    });
    expect(
      await answer(handler, 'PUT', '/snoops/taken', EDITOR, {
        expectedVersion: 2,
        changes: { when: 'profile.region > 3.0' },
      }),
    ).toMatchObject({ status: 422, body: { problems: [expect.stringContaining('needs two numbers')] } });
    expect(await answer(handler, 'PUT', '/snoops/taken', EDITOR, { changes: {} })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('expectedVersion') },
    });
    expect(await answer(handler, 'DELETE', '/snoops/taken', EDITOR)).toMatchObject({ status: 405 });
    expect(await answer(handler, 'GET', '/elsewhere', EDITOR)).toMatchObject({ status: 404 });
  });
});
