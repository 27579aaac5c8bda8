/**
 * npm run staff -- invite <email> --stage <stage> --roles <role,role|all>
 * npm run staff -- list --stage <stage>
 *
 * The people who may use the dead-letter console and the snoop editor, in a deployed stage's staff user pool (made
 * by dlq-console's stack; its id in SSM at /lending-backbone/<stage>/staff/user-pool-id). `invite` creates a person,
 * whom Cognito emails a temporary password (they choose a password and set up MFA at first sign-in), and puts them in
 * the groups their roles name; inviting someone already there only adds the roles. The first administrator of a new
 * stage is invited with `--roles all` (every group of the pool). `list` prints each person with status and roles.
 *
 * With the AWS credentials of someone allowed to administer the pool; the pool lets nobody sign themselves up. The
 * local stage has no pool: its sign-in page lets you pick roles.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { awsClientSettings, awsEnvironmentSchema, createSsmClient, loadConfig } from '@backbone/shared';
import { printTable, readCommandLine, runTool } from '@backbone/shared/local';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_STAGE } from './local-cloud/environment';
import { readStageFile, STAGES_DIR } from './deploy/stage-file';

const USAGE =
  'usage: npm run staff -- invite <email> --stage <stage> --roles <role,role|all>\n' +
  '       npm run staff -- list --stage <stage>';

export interface StaffPool {
  groups(): Promise<string[]>;
  /** Creates the person (Cognito emails the invitation); false when they were there already. */
  create(email: string): Promise<boolean>;
  addToGroup(email: string, group: string): Promise<void>;
  people(): Promise<Array<{ email: string; status: string; roles: string[] }>>;
}

export function cognitoStaffPool(client: CognitoIdentityProviderClient, userPoolId: string): StaffPool {
  async function groups(): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, NextToken }));
      names.push(...(page.Groups ?? []).map((group) => group.GroupName!).filter(Boolean));
      NextToken = page.NextToken;
    } while (NextToken);
    return names.sort();
  }

  return {
    groups,
    async create(email) {
      try {
        await client.send(
          new AdminCreateUserCommand({
            UserPoolId: userPoolId,
            Username: email,
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
            DesiredDeliveryMediums: ['EMAIL'],
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof UsernameExistsException) return false;
        throw error;
      }
    },
    async addToGroup(email, group) {
      await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: email, GroupName: group }));
    },
    async people() {
      // Each group's members (one listing a group, not one a person), then everyone, those without a role too.
      const roles = new Map<string, string[]>();
      for (const group of await groups()) {
        let NextToken: string | undefined;
        do {
          const page = await client.send(
            new ListUsersInGroupCommand({ UserPoolId: userPoolId, GroupName: group, NextToken }),
          );
          for (const user of page.Users ?? []) roles.set(user.Username!, [...(roles.get(user.Username!) ?? []), group]);
          NextToken = page.NextToken;
        } while (NextToken);
      }
      const people: Array<{ email: string; status: string; roles: string[] }> = [];
      let PaginationToken: string | undefined;
      do {
        const page = await client.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken }));
        for (const user of page.Users ?? [])
          people.push({
            email: user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value ?? user.Username!,
            status: user.UserStatus ?? '',
            roles: (roles.get(user.Username!) ?? []).sort(),
          });
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
      return people.sort((a, b) => a.email.localeCompare(b.email));
    },
  };
}

/** Invites a person with roles; every role must be a group of the pool (a typo is refused, naming the groups). */
export async function invite(
  pool: StaffPool,
  email: string,
  roles: string,
): Promise<{ created: boolean; roles: string[] }> {
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`"${email}" is not an email address`);
  const groups = await pool.groups();
  const wanted =
    roles === 'all'
      ? groups
      : roles
          .split(',')
          .map((role) => role.trim())
          .filter(Boolean);
  if (wanted.length === 0) throw new Error(`name at least one role (--roles), or all; the roles: ${groups.join(', ')}`);
  const unknown = wanted.filter((role) => !groups.includes(role));
  if (unknown.length > 0)
    throw new Error(`no such role: ${unknown.join(', ')}. The pool's roles: ${groups.join(', ')}`);
  const created = await pool.create(email);
  for (const role of wanted) await pool.addToGroup(email, role);
  return { created, roles: wanted };
}

async function main(): Promise<number> {
  const { command, positionals, values } = readCommandLine(
    process.argv.slice(2),
    { stage: { type: 'string' }, roles: { type: 'string' } },
    USAGE,
  );
  if (!values.stage) throw new Error(`--stage is required\n${USAGE}`);
  if (values.stage === LOCAL_STAGE) {
    console.error('the local stage has no user pool: its sign-in page lets you pick your roles (npm start prints it)');
    return 2;
  }
  const stageFile = path.join(STAGES_DIR, `${values.stage}.yml`);
  const env = {
    ...process.env,
    AWS_REGION: existsSync(stageFile) ? readStageFile(values.stage).region : process.env.AWS_REGION,
  };
  const settings = awsClientSettings(loadConfig(awsEnvironmentSchema, env, 'staff'));
  const ssm = createSsmClient(settings);
  const name = `/lending-backbone/${values.stage}/staff/user-pool-id`;
  const userPoolId = await ssm
    .send(new GetParameterCommand({ Name: name }))
    .then((answer) => answer.Parameter?.Value)
    .catch(() => undefined)
    .finally(() => ssm.destroy());
  if (!userPoolId)
    throw new Error(`no ${name}: deploy dlq-console to stage ${values.stage} first (its stack writes it)`);
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    endpoint: process.env.AWS_ENDPOINT_URL || undefined,
  });
  const pool = cognitoStaffPool(client, userPoolId);
  try {
    if (command === 'invite') {
      const [email] = positionals;
      if (!email || !values.roles) throw new Error(`invite takes an email and --roles\n${USAGE}`);
      const outcome = await invite(pool, email, values.roles);
      console.log(
        outcome.created
          ? `invited ${email}: Cognito emails a temporary password; at first sign-in they choose a password and set up MFA`
          : `${email} was already there: roles added`,
      );
      console.log(`roles: ${outcome.roles.join(', ')}`);
      return 0;
    }
    if (command === 'list') {
      const people = await pool.people();
      printTable(
        people.map((person) => ({ email: person.email, status: person.status, roles: person.roles.join(' ') })),
      );
      console.error(`${people.length} people in ${userPoolId}`);
      return 0;
    }
    throw new Error(`no command "${command ?? ''}"\n${USAGE}`);
  } finally {
    client.destroy();
  }
}

if (require.main === module) runTool('staff', main);
