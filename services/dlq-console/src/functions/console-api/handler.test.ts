import type { APIGatewayProxyEvent } from 'aws-lambda';
import { actorOf } from './handler';

const withClaims = (claims?: Record<string, unknown>) =>
  ({ requestContext: { authorizer: claims ? { claims } : null } }) as unknown as APIGatewayProxyEvent;

describe('the caller, from the authoriser’s claims', () => {
  it('reads the groups however API Gateway writes the list, keeping only the console’s roles', () => {
    for (const groups of [
      ['dlq:read', 'dlq:purge', 'admins'],
      '[dlq:read dlq:purge admins]',
      'dlq:read,dlq:purge,admins',
    ])
      expect(actorOf(withClaims({ email: 'ops@example.com', 'cognito:groups': groups }))).toEqual({
        name: 'ops@example.com',
        roles: new Set(['dlq:read', 'dlq:purge']),
      });
  });

  it('names the caller by email, else user name, else subject; no claims or no name is no caller', () => {
    expect(actorOf(withClaims({ 'cognito:username': 'sam', sub: 's-1' }))?.name).toBe('sam');
    expect(actorOf(withClaims({ sub: 's-1' }))).toEqual({ name: 's-1', roles: new Set() });
    expect(actorOf(withClaims({ 'cognito:groups': ['dlq:read'] }))).toBeUndefined();
    expect(actorOf(withClaims())).toBeUndefined();
  });
});
