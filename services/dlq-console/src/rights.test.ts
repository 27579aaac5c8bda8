/**
 * Every route of the console's API refuses every caller who lacks its role (403, naming the role), with nothing of the
 * data in the answer; an unknown DLQ is answered 404 only to someone who may read (else a caller with no role would
 * learn every DLQ's name from the 404).
 */
import { plantedWorld } from './console.fixtures';
import { DLQ } from './domain/dead-letters.fixtures';
import { plantedIn } from './domain/planted.fixtures';

const ALL_ROLES = ['dlq:read', 'dlq:redrive', 'dlq:export', 'dlq:purge', 'dlq:unmask', 'dlq:edit:*'];
const REASON = 'ticket OPS-12: checking phone numbers';

type Call = { method: string; path: (dlq: string) => string; query?: Record<string, string>; body?: unknown };

/** Each route (and each variant that takes another role), with the roles it takes. */
const ROUTES: [name: string, call: Call, needs: string[]][] = [
  ['DLQs', { method: 'GET', path: () => '/api/queues' }, ['dlq:read']],
  ['groups', { method: 'GET', path: (q) => `/api/queues/${q}/groups` }, ['dlq:read']],
  ['messages', { method: 'GET', path: (q) => `/api/queues/${q}/messages` }, ['dlq:read']],
  [
    'messages unmasked',
    { method: 'GET', path: (q) => `/api/queues/${q}/messages`, query: { unmask: REASON } },
    ['dlq:read', 'dlq:unmask'],
  ],
  ['plan', { method: 'POST', path: (q) => `/api/queues/${q}/plan`, body: { filter: {} } }, ['dlq:read']],
  [
    'dry run',
    { method: 'POST', path: (q) => `/api/queues/${q}/dry-run`, body: { filter: {} } },
    ['dlq:read', 'dlq:redrive'],
  ],
  [
    'redrive',
    { method: 'POST', path: (q) => `/api/queues/${q}/redrives`, body: { filter: {}, confirm: 'x' } },
    ['dlq:redrive'],
  ],
  ['redrive status', { method: 'GET', path: () => '/api/redrives/3f2b8c1e-9d4a-4f6e-8b1a-2c3d4e5f6a7b' }, ['dlq:read']],
  [
    'fix',
    {
      method: 'POST',
      path: (q) => `/api/queues/${q}/messages/m-0-0/fix`,
      body: { edits: [{ path: 'currency', value: 'GBP' }] },
    },
    ['dlq:edit:*'],
  ],
  ['export', { method: 'GET', path: (q) => `/api/queues/${q}/export` }, ['dlq:export']],
  [
    'export unmasked',
    { method: 'GET', path: (q) => `/api/queues/${q}/export`, query: { unmask: REASON } },
    ['dlq:export', 'dlq:unmask'],
  ],
  [
    'purge',
    { method: 'POST', path: (q) => `/api/queues/${q}/purge`, body: { filter: {}, confirm: 'x' } },
    ['dlq:purge'],
  ],
  ['audit', { method: 'GET', path: () => '/api/audit' }, ['dlq:read']],
];

describe('the API’s rights', () => {
  const { call, planted } = plantedWorld();

  describe.each(ROUTES)('%s', (_name, route, needs) => {
    // Every caller short of one role the route takes: all other roles, and no role at all.
    const lacking = [[], ...needs.map((missing) => ALL_ROLES.filter((role) => role !== missing))];

    it.each(lacking.map((roles) => [roles.join(' ') || 'no role', roles]))(
      'is refused to a caller with %s, naming the role, showing nothing',
      async (_who, roles) => {
        for (const dlq of [DLQ, 'no-such-dlq']) {
          const answer = await call(route.method, route.path(dlq), {
            ...(route.query ? { query: route.query } : {}),
            ...(route.body ? { body: route.body } : {}),
            roles,
          });
          expect([dlq, answer.status]).toEqual([dlq, 403]);
          expect(answer.text).toMatch(/takes the role dlq:/);
          expect(answer.text).not.toContain(DLQ === dlq ? 'marketing-events-local-events (' : DLQ);
          expect(plantedIn(answer.text, planted)).toEqual([]);
        }
      },
    );

    it('is answered to a caller with its roles (404 for an unknown DLQ, never 403)', async () => {
      const answer = await call(route.method, route.path('no-such-dlq'), {
        ...(route.query ? { query: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        roles: needs,
      });
      expect(answer.status).not.toBe(403);
      if (route.path('x') !== route.path('y')) expect(answer.status).toBe(404);
    });
  });

  it('tells the page who is signed in and what they may do', async () => {
    const me = await call('GET', '/api/me', { roles: ['dlq:read', 'dlq:redrive', 'not-a-console-role'] });
    expect(JSON.parse(me.text)).toEqual({ name: 'ops@example.com', roles: ['dlq:read', 'dlq:redrive'] });
  });
});
