import { readFileSync } from 'node:fs';
import type { StoredSnoop } from '@backbone/rules-language';
import { createLogger } from '@backbone/shared';
import { apiGatewayEvent } from '@backbone/shared/testing';
import { SEED_CATALOGUE } from '../../cli';
import { snoopDefinitions } from '../../domain/definitions';
import { editableFields, memoryDefinitionStore } from '../../domain/definitions.fixtures';
import { impactPreviews } from '../../domain/impact-previews';
import { memoryImpactPreviews } from '../../domain/impact-previews.fixtures';
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

const setUp = (memory = memoryImpactPreviews()) => {
  const store = memoryDefinitionStore();
  const reviewStore = memoryReviewStore();
  let ids = 0;
  const newId = () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;
  const now = () => new Date('2026-12-07T10:00:00Z');
  return createSnoopDefinitionsHandler({
    definitions: snoopDefinitions(store),
    reviews: snoopReviews(store, reviewStore, newId, now),
    previews: impactPreviews({
      definitions: store,
      reviews: reviewStore,
      servedVersion: async () => undefined,
      previews: memory.store,
      queue: memory.queue,
      newId,
      now,
    }),
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

  it('asks for an impact preview and shows it as it stands; a review carries it; an approval can be scheduled', async () => {
    const memory = memoryImpactPreviews();
    const handler = setUp(memory);
    const APPROVER = ['rules:read', 'rules:approve'];
    await answer(handler, 'POST', '/snoops', EDITOR, { ...editableFields(energy), id: 'mine' });
    const asked = await answer(handler, 'POST', '/impact-previews', EDITOR, { snoopIds: ['mine'], customers: 500 });
    expect(asked).toMatchObject({ status: 202, body: { state: 'pending', snoopIds: ['mine'], customers: 500 } });
    expect(memory.sent).toHaveLength(1);
    const previewId = asked.body['previewId'] as string;
    expect(await answer(handler, 'GET', `/impact-previews/${previewId}`, EDITOR)).toMatchObject({
      status: 200,
      body: { previewId, state: 'pending' },
    });
    expect(await answer(handler, 'GET', '/impact-previews/00000000-0000-4000-8000-999999999999', EDITOR)).toMatchObject(
      { status: 404 },
    );
    expect(await answer(handler, 'POST', '/impact-previews', EDITOR, { snoopIds: [] })).toMatchObject({ status: 400 });
    expect(
      await answer(handler, 'POST', '/impact-previews', EDITOR, { from: 'a'.repeat(64), to: 'a'.repeat(64) }),
    ).toMatchObject({ status: 404 });
    const submitted = await answer(handler, 'POST', '/snoops/mine/reviews', EDITOR, {
      expectedVersion: 1,
      impactPreviewId: previewId,
    });
    expect(submitted).toMatchObject({ status: 201, body: { impactPreviewId: previewId } });
    const reviewId = submitted.body['reviewId'] as string;
    const decide = (body: unknown) =>
      answer(handler, 'POST', `/reviews/${reviewId}/decision`, APPROVER, body, 'amir@example.com');
    expect(await decide({ decision: 'approve', publishAt: '2026-12-01T00:00:00Z' })).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('has passed') },
    });
    expect(await decide({ decision: 'approve', publishAt: 'tomorrow' })).toMatchObject({ status: 400 });
    expect(await decide({ decision: 'approve', publishAt: '2026-12-08T06:00:00Z' })).toMatchObject({
      status: 200,
      body: { state: 'scheduled', publishAt: '2026-12-08T06:00:00Z' },
    });
    expect(await decide({ decision: 'send-back', comment: 'not yet after all' })).toMatchObject({
      status: 200,
      body: { state: 'sent-back', comment: 'not yet after all' },
    });
  });
});
