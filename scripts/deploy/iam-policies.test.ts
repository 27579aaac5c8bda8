import {
  createResolver,
  decide,
  functionPolicies,
  governingResource,
  grants,
  resourcePolicies,
  type Template,
} from './iam-policies';

const context = { region: 'eu-west-1', accountId: '000000000000', stackName: 'svc-local' };

const template: Template = {
  Parameters: { SecretArn: { Default: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:db-AbCdEf' } },
  Resources: {
    Events: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-local-events' } },
    Deliveries: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Join': ['-', ['svc', 'local', 'deliveries']] },
        ResourcePolicy: {
          PolicyDocument: {
            Statement: [{ Effect: 'Deny', Principal: '*', Action: 'dynamodb:DeleteItem', Resource: '*' }],
          },
        },
      },
    },
    Rules: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'rules-bucket' } },
    RulesPolicy: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: 'Rules' },
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [
                { 'Fn::GetAtt': ['Rules', 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Rules', 'Arn'] }, '/*']] },
              ],
              Condition: { Bool: { 'aws:SecureTransport': false } },
            },
          ],
        },
      },
    },
    Token: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'svc/local/token' } },
    DispatchRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'svc-local-dispatch-role',
        Policies: [
          {
            PolicyName: { 'Fn::Join': ['-', ['svc', 'local', 'lambda']] },
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: { 'Fn::GetAtt': ['Events', 'Arn'] } },
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
                  Resource: [{ 'Fn::GetAtt': ['Deliveries', 'Arn'] }],
                },
                { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': '${Rules.Arn}/rules/*' } },
                {
                  Effect: 'Allow',
                  Action: 'secretsmanager:GetSecretValue',
                  Resource: [{ Ref: 'Token' }, { Ref: 'SecretArn' }],
                },
                {
                  Effect: 'Allow',
                  Action: 'sqs:SendMessage',
                  Resource: {
                    'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:other-${AWS::StackName}',
                  },
                },
              ],
            },
          },
        ],
      },
    },
    Dispatch: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'svc-local-dispatch', Role: { 'Fn::GetAtt': ['DispatchRole', 'Arn'] } },
    },
  },
};

const [dispatch] = functionPolicies('svc', template, context);
const policies = resourcePolicies(template, context);
const decision = (action: string, resource: string) =>
  decide(dispatch!, { action, resource }, policies.get(governingResource(resource)), context.accountId);

describe('a function’s policy, resolved as its stack would be', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Sub (pseudo parameters and resource attributes), Fn::Join and parameters', () => {
    expect(dispatch).toMatchObject({
      functionName: 'svc-local-dispatch',
      roleArn: 'arn:aws:iam::000000000000:role/svc-local-dispatch-role',
    });
    const resources = dispatch!.policies[0]!.policy.Statement.map((statement) => statement.Resource);
    expect(dispatch!.policies[0]!.name).toBe('svc-local-lambda');
    expect(resources).toEqual([
      'arn:aws:sqs:eu-west-1:000000000000:svc-local-events',
      ['arn:aws:dynamodb:eu-west-1:000000000000:table/svc-local-deliveries'],
      'arn:aws:s3:::rules-bucket/rules/*',
      [
        'arn:aws:secretsmanager:eu-west-1:000000000000:secret:svc/local/token-AbCdEf',
        'arn:aws:secretsmanager:eu-west-1:000000000000:secret:db-AbCdEf',
      ],
      'arn:aws:sqs:eu-west-1:000000000000:other-svc-local',
    ]);
  });

  it('leaves what it cannot resolve visibly unresolved, matching nothing', () => {
    const resolve = createResolver(template, context);
    expect(resolve({ Ref: 'Nowhere' })).toBe('unresolved:{"Ref":"Nowhere"}');
    expect(resolve({ 'Fn::GetAtt': ['Events', 'Nothing'] })).toMatch(/^unresolved:/);
    expect(resolve({ 'Fn::ImportValue': 'x' })).toMatch(/^unresolved:/);
  });

  it('finds the resource policies of tables and buckets, and which one governs an index or an object', () => {
    expect([...policies.keys()].sort()).toEqual([
      'arn:aws:dynamodb:eu-west-1:000000000000:table/svc-local-deliveries',
      'arn:aws:s3:::rules-bucket',
    ]);
    expect(governingResource('arn:aws:dynamodb:eu-west-1:0:table/t/index/i')).toBe(
      'arn:aws:dynamodb:eu-west-1:0:table/t',
    );
    expect(governingResource('arn:aws:s3:::b/k/l')).toBe('arn:aws:s3:::b');
  });

  it('lists every granted action with its resources', () => {
    expect(grants(dispatch!).map((grant) => grant.action)).toEqual([
      'sqs:SendMessage',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      's3:GetObject',
      'secretsmanager:GetSecretValue',
    ]);
    expect(grants(dispatch!)[0]!.resources).toHaveLength(2);
  });
});

describe('what IAM would decide of a call', () => {
  it('allows a call the policy grants on that resource', async () => {
    await expect(decision('sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:svc-local-events')).resolves.toBe(
      'Allowed',
    );
    await expect(decision('s3:GetObject', 'arn:aws:s3:::rules-bucket/rules/v1.json')).resolves.toBe('Allowed');
    await expect(
      decision(
        'secretsmanager:GetSecretValue',
        'arn:aws:secretsmanager:eu-west-1:000000000000:secret:svc/local/token-AbCdEf',
      ),
    ).resolves.toBe('Allowed');
  });

  it('refuses another action, another resource, or one outside the granted prefix', async () => {
    await expect(decision('sqs:DeleteMessage', 'arn:aws:sqs:eu-west-1:000000000000:svc-local-events')).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(decision('sqs:SendMessage', 'arn:aws:sqs:eu-west-1:000000000000:svc-local-events-dlq')).resolves.toBe(
      'ImplicitlyDenied',
    );
    await expect(decision('s3:GetObject', 'arn:aws:s3:::rules-bucket/exports/a.csv')).resolves.toBe('ImplicitlyDenied');
  });

  it('refuses what the resource’s own policy denies, even when the role allows it', async () => {
    await expect(
      decision('dynamodb:UpdateItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/svc-local-deliveries'),
    ).resolves.toBe('Allowed');
    await expect(
      decision('dynamodb:DeleteItem', 'arn:aws:dynamodb:eu-west-1:000000000000:table/svc-local-deliveries'),
    ).resolves.toBe('ExplicitlyDenied');
  });

  it('knows who is calling: a table that lets one role alone add entries refuses any other', async () => {
    const onlyTheRecorder = (role: string) => ({
      Statement: [
        {
          Effect: 'Deny' as const,
          Principal: '*',
          Action: 'dynamodb:UpdateItem',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': role } },
        },
      ],
    });
    const table = 'arn:aws:dynamodb:eu-west-1:000000000000:table/svc-local-deliveries';
    await expect(
      decide(
        dispatch!,
        { action: 'dynamodb:UpdateItem', resource: table },
        onlyTheRecorder(dispatch!.roleArn),
        '000000000000',
      ),
    ).resolves.toBe('Allowed');
    await expect(
      decide(
        dispatch!,
        { action: 'dynamodb:UpdateItem', resource: table },
        onlyTheRecorder('arn:aws:iam::000000000000:role/someone-else'),
        '000000000000',
      ),
    ).resolves.toBe('ExplicitlyDenied');
  });
});
