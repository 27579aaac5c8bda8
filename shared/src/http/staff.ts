import type { APIGatewayProxyEvent } from 'aws-lambda';

/** A member of staff signed in with the company's user pool, as a service's API sees them. */
export interface StaffMember {
  /** Their subject (`sub`), which they cannot choose: audit trails and histories are keyed on it. */
  id: string;
  /** As shown: their email once verified, else their user name, else their subject. */
  name: string;
  /** Their groups that are this service's roles (those with its prefix: `dlq:`, `rules:`). */
  roles: Set<string>;
}

/**
 * The caller, from the claims the Cognito authoriser passes on (locally, the local identity provider's, checked the
 * same way), with the roles among their groups that start with `rolePrefix`; undefined without a subject. One user
 * pool signs staff in to every tool, and each service reads only its own roles. API Gateway writes a list claim as
 * "[a b]" or "a,b", and a boolean as "true"; both are read.
 */
export function staffMemberOf(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  rolePrefix: string,
): StaffMember | undefined {
  const claims = (event.requestContext.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
  if (!claims) return undefined;
  const text = (claim: string): string | undefined =>
    typeof claims[claim] === 'string' && claims[claim] !== '' ? claims[claim] : undefined;
  const id = text('sub');
  if (!id) return undefined;
  const verified = claims['email_verified'] === true || claims['email_verified'] === 'true';
  const name = (verified ? text('email') : undefined) ?? text('cognito:username') ?? text('username') ?? id;
  const groups = claims['cognito:groups'];
  const list = Array.isArray(groups) ? groups.map(String) : typeof groups === 'string' ? groups.split(/[\s,[\]]+/) : [];
  return { id, name, roles: new Set(list.map((role) => role.trim()).filter((role) => role.startsWith(rolePrefix))) };
}
