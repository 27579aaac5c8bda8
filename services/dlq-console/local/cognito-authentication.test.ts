/**
 * The local stand-in for the console's Cognito authoriser, called as serverless-offline calls it: a request with one
 * valid token passes; one with two Authorization headers is refused, whatever the first (Node keeps the first of
 * several, while serverless-offline reads the claims of the last: a forged one behind a valid one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localSignIn, subjectOf } from './identity';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- serverless-offline loads it with require() too
const provider = require('./cognito-authentication.cjs') as (
  endpoint: unknown,
  functionKey: string,
  method: string,
  routePath: string,
) => { getAuthenticateFunction(): { authenticate(request: unknown, h: unknown): Promise<unknown> } };

const forged = (claims: Record<string, unknown>): string =>
  [{ alg: 'RS256', typ: 'JWT' }, claims, 'not-a-signature']
    .map((p) => Buffer.from(JSON.stringify(p)).toString('base64url'))
    .join('.');

describe('the local Cognito stand-in', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-cognito-'));
  const env = { LOCAL_CLOUD_DIR: dir };
  let previous: string | undefined;
  beforeAll(() => {
    previous = process.env['LOCAL_CLOUD_DIR'];
    process.env['LOCAL_CLOUD_DIR'] = dir;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env['LOCAL_CLOUD_DIR'];
    else process.env['LOCAL_CLOUD_DIR'] = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  const authenticate = (rawHeaders: string[]) => {
    const headers: Record<string, string> = {};
    for (let i = 0; i < rawHeaders.length; i += 2) headers[rawHeaders[i]!.toLowerCase()] ??= rawHeaders[i + 1]!;
    const { authenticate: run } = provider(
      { authorizer: { type: 'COGNITO_USER_POOLS' } },
      'consoleApi',
      'GET',
      '/api/queues',
    ).getAuthenticateFunction();
    return run({ headers, raw: { req: { rawHeaders } } }, { authenticated: (result: unknown) => result });
  };

  it('lets a request with one valid ID token through, as its subject', async () => {
    const token = localSignIn({ email: 'ops.viewer@example.com', groups: ['dlq:read'] }, env);
    await expect(authenticate(['Authorization', `Bearer ${token}`])).resolves.toEqual({
      credentials: { principalId: subjectOf('ops.viewer@example.com'), context: {} },
    });
  });

  it('refuses a request with two Authorization headers, a valid one first', async () => {
    const token = localSignIn({ email: 'ops.viewer@example.com', groups: ['dlq:read'] }, env);
    const admin = forged({ email: 'boss@example.com', 'cognito:groups': ['dlq:purge', 'dlq:unmask'] });
    await expect(
      authenticate(['Authorization', `Bearer ${token}`, 'Authorization', `Bearer ${admin}`]),
    ).rejects.toThrow(/more than one Authorization header/);
  });
});
