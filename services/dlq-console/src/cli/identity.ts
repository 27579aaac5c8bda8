/**
 * Who runs the command line, and what they may do. Locally: the person named by --actor, DLQ_ACTOR or the login name,
 * with the roles in DLQ_ROLES (a laptop's local cloud has no one to check against). In AWS neither may be chosen: the
 * actor is the caller's AWS identity (STS GetCallerIdentity: an assumed role's session, an IAM user), and the roles
 * are the ones its IAM role (or user) is tagged with, `dlq-console-roles`, space separated (IAM tag values allow no
 * comma and no `*`: `dlq:edit:any` stands for `dlq:edit:*`). Whoever may tag roles in the account grants them.
 */
import { IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { rolesFrom, type Actor } from '../domain/access';

export const ROLES_TAG = 'dlq-console-roles';

/** Where an AWS caller's identity and tags come from (STS and IAM; a test gives its own). */
export interface CallerIdentities {
  callerArn(): Promise<string>;
  /** The tags of the IAM role or user behind an identity's ARN. */
  tagsOf(arn: string): Promise<Record<string, string>>;
}

/** The IAM role or user an ARN names: an assumed role's role, or a user. */
export function principalOf(arn: string): { kind: 'role' | 'user'; name: string; session?: string } {
  const assumed = /^arn:[\w-]+:sts::\d+:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumed) return { kind: 'role', name: assumed[1]!, session: assumed[2]! };
  const user = /^arn:[\w-]+:iam::\d+:user\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (user) return { kind: 'user', name: user[1]! };
  throw new Error(
    `${arn} is neither an assumed role nor an IAM user: run the console as one (aws sso login, or assume the ` +
      'operators’ role), so that its rights can be read from its tags',
  );
}

export function awsCallerIdentities(region?: string): CallerIdentities {
  const sts = new STSClient(region ? { region } : {});
  const iam = new IAMClient(region ? { region } : {});
  return {
    async callerArn() {
      const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
      if (!Arn) throw new Error('STS did not say who this is');
      return Arn;
    },
    async tagsOf(arn) {
      const principal = principalOf(arn);
      const { Tags = [] } =
        principal.kind === 'role'
          ? await iam.send(new ListRoleTagsCommand({ RoleName: principal.name }))
          : await iam.send(new ListUserTagsCommand({ UserName: principal.name }));
      return Object.fromEntries(Tags.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    },
  };
}

/** The command line's actor (see above): `local` is the local stage, where the variables may name it. */
export async function commandLineActor(options: {
  local: boolean;
  actorOption?: string;
  env: Record<string, string | undefined>;
  username: string;
  identities: () => CallerIdentities;
}): Promise<Actor> {
  const { env } = options;
  if (options.local) {
    const name = options.actorOption ?? env['DLQ_ACTOR'] ?? options.username;
    return { name, id: `local:${name}`, roles: rolesFrom((env['DLQ_ROLES'] ?? 'dlq:read,dlq:redrive').split(',')) };
  }
  const chosen = [
    ...(options.actorOption !== undefined ? ['--actor'] : []),
    ...(['DLQ_ACTOR', 'DLQ_ROLES'] as const).filter((name) => env[name] !== undefined),
  ];
  if (chosen.length > 0)
    throw new Error(
      `${chosen.join(' and ')} name who you are or what you may do, which in AWS come from IAM: unset them ` +
        `(your rights are your role's ${ROLES_TAG} tag; ask the account's administrators to change it)`,
    );
  const identities = options.identities();
  const arn = await identities.callerArn();
  const principal = principalOf(arn);
  const tagged = (await identities.tagsOf(arn))[ROLES_TAG] ?? '';
  return {
    id: arn,
    name: principal.session ?? principal.name,
    roles: rolesFrom(
      tagged
        .split(/\s+/)
        .filter(Boolean)
        .map((role) => (role === 'dlq:edit:any' ? 'dlq:edit:*' : role)),
    ),
  };
}
