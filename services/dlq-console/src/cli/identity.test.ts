import { commandLineActor, principalOf, type CallerIdentities } from './identity';

const ROLE_ARN = 'arn:aws:sts::123456789012:assumed-role/MarketingOps/jane.doe@lender.example';

/** STS and IAM as an account would answer (unit test: no AWS here). */
const account = (tags: Record<string, string>, arn = ROLE_ARN): (() => CallerIdentities) => {
  return () => ({ callerArn: async () => arn, tagsOf: async () => tags });
};

describe('who runs the command line', () => {
  it('in AWS, is the caller’s AWS identity, with the roles its IAM role is tagged with', async () => {
    const actor = await commandLineActor({
      local: false,
      env: {},
      username: 'root',
      identities: account({ 'dlq-console-roles': 'dlq:read  dlq:redrive dlq:edit:any not-ours', team: 'ops' }),
    });
    expect(actor).toEqual({
      id: ROLE_ARN,
      name: 'jane.doe@lender.example',
      roles: new Set(['dlq:read', 'dlq:redrive', 'dlq:edit:*']),
    });
    const untagged = await commandLineActor({ local: false, env: {}, username: 'root', identities: account({}) });
    expect(untagged.roles.size).toBe(0);
  });

  it('in AWS, may not be named or given roles by a variable or an option', async () => {
    for (const [env, actorOption] of [
      [{ DLQ_ROLES: 'dlq:read,dlq:purge' }, undefined],
      [{ DLQ_ACTOR: 'someone.else@lender.example' }, undefined],
      [{}, 'someone.else@lender.example'],
    ] as const)
      await expect(
        commandLineActor({
          local: false,
          env,
          ...(actorOption ? { actorOption } : {}),
          username: 'root',
          identities: account({ 'dlq-console-roles': 'dlq:read' }),
        }),
      ).rejects.toThrow(/which in AWS come from IAM: unset them/);
  });

  it('locally, is who the variables say (a laptop’s local cloud has no one to check against)', async () => {
    const actor = await commandLineActor({
      local: true,
      env: { DLQ_ROLES: 'dlq:read,dlq:purge', DLQ_ACTOR: 'dev' },
      username: 'root',
      identities: () => {
        throw new Error('not asked locally');
      },
    });
    expect(actor).toEqual({ id: 'local:dev', name: 'dev', roles: new Set(['dlq:read', 'dlq:purge']) });
  });

  it('reads the role or user behind an ARN, and refuses what has no tags to read', () => {
    expect(principalOf(ROLE_ARN)).toEqual({ kind: 'role', name: 'MarketingOps', session: 'jane.doe@lender.example' });
    expect(principalOf('arn:aws:iam::123456789012:user/engineers/sam')).toEqual({ kind: 'user', name: 'sam' });
    expect(() => principalOf('arn:aws:iam::123456789012:root')).toThrow(/neither an assumed role nor an IAM user/);
  });
});
