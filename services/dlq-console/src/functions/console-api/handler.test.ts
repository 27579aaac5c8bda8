import { Script } from 'node:vm';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { actorOf, limitOf } from './handler';

const withClaims = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims ? { claims } : null } }) as unknown as APIGatewayProxyEvent;

describe('the caller, from the authoriser’s claims', () => {
  it('reads the groups however API Gateway writes the list, keeping only the console’s roles', () => {
    for (const groups of [
      ['dlq:read', 'dlq:purge', 'admins'],
      '[dlq:read dlq:purge admins]',
      'dlq:read,dlq:purge,admins',
    ])
      expect(
        actorOf(withClaims({ sub: 's-1', email: 'ops@example.com', email_verified: 'true', 'cognito:groups': groups })),
      ).toEqual({ id: 's-1', name: 'ops@example.com', roles: new Set(['dlq:read', 'dlq:purge']) });
  });

  it('is its subject, named by its email once verified, else its user name, else its subject; no subject, no caller', () => {
    expect(actorOf(withClaims({ 'cognito:username': 'sam', sub: 's-1' }))?.name).toBe('sam');
    expect(actorOf(withClaims({ sub: 's-1' }))).toEqual({ id: 's-1', name: 's-1', roles: new Set() });
    // An email nobody verified is whatever the person typed: it never names them.
    for (const verified of [undefined, false, 'false'])
      expect(
        actorOf(
          withClaims({ sub: 's-1', 'cognito:username': 'sam', email: 'boss@example.com', email_verified: verified }),
        ),
      ).toMatchObject({ id: 's-1', name: 'sam' });
    expect(actorOf(withClaims({ sub: 's-1', email: 'ops@example.com', email_verified: true }))?.name).toBe(
      'ops@example.com',
    );
    expect(actorOf(withClaims({ email: 'ops@example.com', 'cognito:groups': ['dlq:read'] }))).toBeUndefined();
    expect(actorOf(withClaims())).toBeUndefined();
  });
});

describe('how many dead letters a page asks for', () => {
  const asking = (limit?: string) =>
    ({ queryStringParameters: limit === undefined ? null : { limit } }) as unknown as APIGatewayProxyEvent;

  it('is a whole number from 1 to 1,000, 100 when absent or not a number; a negative one is not "all but one"', () => {
    expect([undefined, '50', '-1', '0', '5000', 'x', '2.7'].map((l) => limitOf(asking(l)))).toEqual([
      100, 50, 1, 100, 1_000, 100, 2,
    ]);
  });
});

describe('the page', () => {
  it('is served to anyone (it holds no data), with where to sign in, and no way for a setting to close its script', async () => {
    const { createConsoleApiHandler } = await import('./handler');
    const handler = createConsoleApiHandler({
      console: {} as never,
      logger: { error: () => undefined } as never,
      page: { signInUrl: 'https://sign.in', clientId: '</script><script>alert(1)</script>' },
    });
    const event = { httpMethod: 'GET', path: '/', requestContext: { authorizer: null, requestId: 'r' } };
    const response = await handler(event as unknown as APIGatewayProxyEvent);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('"signInUrl":"https://sign.in"');
    expect(response.body).not.toContain('</script><script>alert(1)');
    const api = await handler({ ...event, path: '/api/queues' } as unknown as APIGatewayProxyEvent);
    expect(api.statusCode).toBe(401);
  });

  it('has a script that parses, and lets the page reach only its API and the sign-in’s token endpoint', async () => {
    const { consolePage } = await import('../../web/page');
    const html = consolePage({ signInUrl: 'https://console.auth.eu-west-1.amazoncognito.com', clientId: 'c' });
    const script = html.slice(html.lastIndexOf('<script>') + '<script>'.length, html.lastIndexOf('</script>'));
    // Compiled, not run: a regular expression or a quote broken by the template's escaping fails here.
    expect(() => new Script(script)).not.toThrow();
    expect(script).toContain("response_type: 'code'");
    expect(script).toContain("code_challenge_method: 'S256'");
    expect(html).toContain("connect-src 'self' https://console.auth.eu-west-1.amazoncognito.com;");
  });
});
