/**
 * Who may do what in the console. Every face gives the library an actor with roles (the web API from the caller's
 * Cognito groups, the command line from DLQ_ROLES); the library checks them, so no face can forget to.
 *
 *   dlq:read              see the DLQs, the dead letters (masked) and their groups
 *   dlq:redrive           dry-run and redrive
 *   dlq:edit:<type>       fix and resend a message of that type (dlq:edit:* for every type)
 *   dlq:unmask            see personal data, each time with a reason (audited)
 *   dlq:export            export dead letters (masked unless also dlq:unmask and a reason is given)
 *   dlq:purge             delete dead letters for good
 */
export type Role = 'dlq:read' | 'dlq:redrive' | 'dlq:unmask' | 'dlq:export' | 'dlq:purge' | `dlq:edit:${string}`;

export interface Actor {
  /** A person's name as shown: a verified email, a user name, an AWS identity's ARN. */
  name: string;
  /**
   * Their stable id, which they cannot choose: the identity provider's subject (`sub`), an AWS identity's ARN. The
   * audit trail is keyed on it.
   */
  id?: string;
  roles: ReadonlySet<string>;
}

export class AccessDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

export const mayEdit = (actor: Actor, messageType: string | undefined): boolean =>
  actor.roles.has('dlq:edit:*') || (messageType !== undefined && actor.roles.has(`dlq:edit:${messageType}`));

/** Throws, naming the role to ask for, unless the actor has it. */
export function requireRole(actor: Actor, role: Role, doing: string): void {
  const has = role.startsWith('dlq:edit:') ? mayEdit(actor, role.slice('dlq:edit:'.length)) : actor.roles.has(role);
  if (!has)
    throw new AccessDeniedError(
      `${actor.name} may not ${doing}: it takes the role ${role}, which ${actor.name} does not have ` +
        '(ask the console’s administrators to add it to your groups)',
    );
}

/** Roles from a comma-separated list (DLQ_ROLES, a token's groups), keeping only the console's own. */
export const rolesFrom = (list: Iterable<string>): Set<string> =>
  new Set([...list].map((role) => role.trim()).filter((role) => role.startsWith('dlq:')));

/** How the audit trail names an actor: by their stable id, with the name shown beside it. */
export const auditedActor = (actor: Actor): { actor: string; actorId?: string } => ({
  actor: actor.name,
  ...(actor.id ? { actorId: actor.id } : {}),
});
