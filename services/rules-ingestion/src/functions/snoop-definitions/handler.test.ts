import { readFileSync } from 'node:fs';
import type { StoredSnoop } from '@backbone/rules-language';
import { createLogger } from '@backbone/shared';
import { apiGatewayEvent } from '@backbone/shared/testing';
import { SEED_CATALOGUE } from '../../cli';
import { snoopDefinitions } from '../../domain/definitions';
import { editableFields, memoryDefinitionStore } from '../../domain/definitions.fixtures';
import { snoopReviews } from '../../domain/reviews';
import { memoryReviewStore } from '../../domain/reviews.fixtures';
import { createSnoopDefinitionsHandler } from './handler';

const energy = (JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredSnoop[]).find(
  (s) => s.id === 'energy-switch',
)!;

/** A request as the Cognito authoriser passes it on: the caller's claims, their groups among them. */
const request = (
  method: string,
  path: string,
  groups: string[] | undefined,
  body?: unknown,
  email = 'edith@example.com',
) => {
  const event = apiGatewayEvent({ method, path, body: body === undefined ? null : JSON.stringify(body) });
  event.requestContext.authorizer =
    groups === undefined
      ? undefined
      : {
          claims: {
            sub: 'sub-1',
            email,
            email_verified: 'true',
            'cognito:groups': groups.join(','),
          },
        };
  return event;
};
const EDITOR = ['rules:read', 'rules:edit', 'dlq:read'];

const setUp = () => {
  const store = memoryDefinitionStore();
  let ids = 0;
  return createSnoopDefinitionsHandler({
    definitions: snoopDefinitions(store),
    reviews: snoopReviews(
      store,
      memoryReviewStore(),
      () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    ),
    logger: createLogger('test'),
  });
};
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

  it('takes a change through review: submitted by its writer, decided by someone else, a restore for a publisher', async () => {
    const handler = setUp();
    const APPROVER = ['rules:read', 'rules:approve'];
    await answer(handler, 'POST', '/snoops', EDITOR, { ...editableFields(energy), id: 'mine' });
    const submitted = await answer(handler, 'POST', '/snoops/mine/reviews', EDITOR, {
      expectedVersion: 1,
      note: 'new',
    });
    expect(submitted).toMatchObject({
      status: 201,
      body: { state: 'pending', snoopId: 'mine', submittedBy: 'edith@example.com' },
    });
    const reviewId = submitted.body['reviewId'] as string;
    const listed = await handler({
      ...request('GET', '/reviews', EDITOR),
      queryStringParameters: { state: 'pending' },
    });
    expect(JSON.parse(listed.body)).toEqual([expect.objectContaining({ reviewId })]);
    const bogus = await handler({ ...request('GET', '/reviews', EDITOR), queryStringParameters: { state: 'maybe' } });
    expect(bogus.statusCode).toBe(400);
    expect(
      await answer(handler, 'POST', `/reviews/${reviewId}/decision`, EDITOR, { decision: 'approve' }),
    ).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('takes the role rules:approve') },
    });
    expect(
      await answer(handler, 'POST', `/reviews/${reviewId}/decision`, [...APPROVER, 'rules:edit'], {
        decision: 'approve',
      }),
    ).toMatchObject({ status: 403, body: { message: expect.stringContaining('submitted this change') } });
    const decided = await answer(
      handler,
      'POST',
      `/reviews/${reviewId}/decision`,
      APPROVER,
      { decision: 'approve', comment: 'ok' },
      'amir@example.com',
    );
    expect(decided).toMatchObject({ status: 200, body: { state: 'approved', decidedBy: 'amir@example.com' } });
    expect(
      await answer(
        handler,
        'POST',
        `/reviews/${reviewId}/decision`,
        APPROVER,
        { decision: 'send-back', comment: 'late' },
        'amir@example.com',
      ),
    ).toMatchObject({ status: 409 });
    expect(await answer(handler, 'GET', `/reviews/${reviewId}`, EDITOR)).toMatchObject({
      status: 200,
      body: { state: 'approved' },
    });
    expect(await answer(handler, 'GET', '/reviews/00000000-0000-4000-8000-999999999999', EDITOR)).toMatchObject({
      status: 404,
    });
    expect(
      await answer(handler, 'POST', `/reviews/${reviewId}/decision`, APPROVER, { decision: 'maybe' }),
    ).toMatchObject({ status: 400 });
    expect(await answer(handler, 'GET', '/publications', EDITOR)).toEqual({ status: 200, body: [] });
    expect(await answer(handler, 'POST', `/publications/${'a'.repeat(64)}/restoration`, APPROVER)).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('rules:publish') },
    });
    expect(
      await answer(handler, 'POST', `/publications/${'a'.repeat(64)}/restoration`, ['rules:publish']),
    ).toMatchObject({ status: 404 });
  });
});
