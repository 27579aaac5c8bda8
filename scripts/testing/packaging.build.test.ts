/**
 * Every Serverless service packages offline ("serverless package", no AWS account), and the
 * packaged CloudFormation follows the platform's queue rules.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rehearse } from '../deploy/rehearse';
import { lintTemplate, packageService, type LintFinding } from '../package-all';
import { discoverServices, serverlessServices } from '../local-cloud/services';

/**
 * Actions IAM grants on no resource but "*": ECR's login token for pulling an image; ECS's ListTasks, which the
 * refresh step's role scopes to the engine's cluster by condition; SQS's ListQueues, with which the dead-letter
 * console finds the stage's DLQs (it reads and moves messages only on the project's queues, <service>-<stage>-*);
 * X-Ray's, with which a function (or the engine's daemon) sends traces and reads the sampling rules.
 */
const WITHOUT_RESOURCES = new Set([
  'ecr:GetAuthorizationToken',
  'ecs:ListTasks',
  'sqs:ListQueues',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

const serviceNames = (): string[] => serverlessServices(discoverServices()).map((s) => s.name);

interface Template {
  Parameters?: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Resources: Record<
    string,
    {
      Type: string;
      Properties: Record<string, unknown>;
      DependsOn?: string[];
      DeletionPolicy?: string;
      UpdateReplacePolicy?: string;
    }
  >;
}

const templates = new Map<string, Template>();
/** What `serverless package` saved of each service's resolved settings (the stack's tags are passed at deploy). */
const stackTags = new Map<string, Record<string, string>>();
const lintFindings = new Map<string, LintFinding[]>();

beforeAll(async () => {
  for (const name of serviceNames()) {
    const packaged = await packageService(name, 'ci');
    templates.set(name, JSON.parse(readFileSync(packaged.templatePath, 'utf8')) as Template);
    const state = JSON.parse(
      readFileSync(path.join(path.dirname(packaged.templatePath), 'serverless-state.json'), 'utf8'),
    ) as { service: { provider: { stackTags?: Record<string, string> } } };
    stackTags.set(name, state.service.provider.stackTags ?? {});
    lintFindings.set(name, await lintTemplate(packaged.templatePath));
  }
}, 300_000);

// Each check below collects what breaks its rule and expects none; these make sure the checks see something.
it('packages templates with queues, tables, a bucket, SQS triggers and HTTP endpoints among them', () => {
  const all = [...templates.values()].flatMap((template) => Object.values(template.Resources).map((r) => r.Type));
  for (const type of [
    'AWS::SQS::Queue',
    'AWS::DynamoDB::Table',
    'AWS::S3::Bucket',
    'AWS::Lambda::EventSourceMapping',
    'AWS::ApiGateway::Method',
    'AWS::IAM::Role',
  ])
    expect({ type, found: all.includes(type) }).toEqual({ type, found: true });
});

it('declares the rules engine: Fargate service, internal load balancer, backlog scaling, RDS Proxy, a non-root image', () => {
  const engine = templates.get('snoop-scheduler')!;
  const types = Object.values(engine.Resources).map((r) => r.Type);
  for (const type of [
    'AWS::ECS::Service',
    'AWS::ECS::TaskDefinition',
    'AWS::ElasticLoadBalancingV2::LoadBalancer',
    'AWS::ElasticLoadBalancingV2::TargetGroup',
    'AWS::ApplicationAutoScaling::ScalingPolicy',
    'AWS::RDS::DBProxy',
    'AWS::SecretsManager::Secret',
  ])
    expect({ type, found: types.includes(type) }).toEqual({ type, found: true });
  const [, balancer] = resourcesOf(engine, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]!;
  expect(balancer.Properties['Scheme']).toBe('internal');
  // HTTPS only: the engine's requests and answers name customers and their finances.
  const listeners = resourcesOf(engine, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l.Properties);
  expect(listeners.map((l) => [l['Protocol'], l['Port']])).toEqual([['HTTPS', 443]]);
  expect(String(listeners[0]!['SslPolicy'])).toMatch(/TLS13/);
  const [, proxy] = resourcesOf(engine, 'AWS::RDS::DBProxy')[0]!;
  expect(proxy.Properties['RequireTLS']).toBe(true);
  const dockerfile = readFileSync(path.join(__dirname, '../../services/snoop-scheduler/engine/Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK /m);
});

it('runs only images it built or images pinned by digest (a third party’s tag can be moved to another image)', () => {
  const engine = templates.get('snoop-scheduler')!;
  const images = resourcesOf(engine, 'AWS::ECS::TaskDefinition').flatMap(([, task]) =>
    (task.Properties['ContainerDefinitions'] as { Name: string; Image: unknown }[]).map((c) => [c.Name, c.Image]),
  );
  expect(images.map(([name]) => name)).toEqual(['engine', 'xray-daemon', 'log-router']);
  for (const [name, image] of images) {
    // The project's own image, from its own ECR repository in its own account (pushed by the deploy).
    if (JSON.stringify(image).includes('.dkr.ecr.${AWS::Region}.amazonaws.com/${EngineImageRepository}')) continue;
    const parameterName = (image as { Ref?: string }).Ref;
    const parameter = engine.Parameters?.[parameterName ?? ''];
    expect({ name, image, pinnedBy: parameter?.AllowedPattern ?? 'nothing' }).toEqual({
      name,
      image,
      pinnedBy: expect.stringContaining('@sha256:[0-9a-f]{64}$'),
    });
    const pattern = new RegExp(parameter!.AllowedPattern!);
    const fluentBit = 'public.ecr.aws/aws-observability/aws-for-fluent-bit';
    expect(pattern.test(`${fluentBit}:stable`)).toBe(false);
    expect(pattern.test(`${fluentBit}@sha256:${'ab'.repeat(31)}`)).toBe(false);
    expect(pattern.test(`${fluentBit}:2.34.3@sha256:${'ab'.repeat(32)}`)).toBe(true);
    expect(pattern.test(`${fluentBit}@sha256:${'ab'.repeat(32)}`)).toBe(true);
    // No default: a stage that has not chosen its digest is refused at deploy, not given one nobody checked.
    expect(parameter!.Default).toBeUndefined();
  }
});

it('cfn-lint finds what is wrong in a template (so that "clean" means something)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
  const planted = path.join(dir, 'template.json');
  writeFileSync(
    planted,
    JSON.stringify({
      Resources: {
        Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon', Colour: 'blue' } },
      },
    }),
  );
  const rules = (await lintTemplate(planted)).map((finding) => finding.rule);
  expect(rules).toEqual(expect.arrayContaining(['E3002', 'E3012']));
});

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** A policy's resource as text: a substitution or another function's value stands for a name (§), never for "*". */
const resourceTexts = (resource: unknown): string[] => {
  if (Array.isArray(resource)) return resource.flatMap(resourceTexts);
  if (typeof resource === 'string') return [resource.replace(/\$\{[^}]+\}/g, '§')];
  const [fn, argument] = Object.entries(resource as Record<string, unknown>)[0]!;
  if (fn === 'Fn::Sub') return resourceTexts(Array.isArray(argument) ? argument[0] : argument);
  if (fn === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return [parts.map((part) => (typeof part === 'string' ? part : '§')).join(separator)];
  }
  return ['§'];
};

/** Services whose ARNs name a resource without a type before it (arn:...:sqs:<region>:<account>:<queue name>). */
const UNTYPED_ARNS = new Set(['s3', 'sqs', 'sns']);

/**
 * Does this resource stand for any name at all? "*", or an ARN whose name begins with a wildcard ("arn:...:*",
 * "table/*", "*-dev-*"). A name that begins with something ("dlq-console-dev-*", "bucket/rules/*", "table/t/index/*")
 * is a prefix the project owns.
 */
const namesAnything = (text: string): boolean => {
  if (text === '*') return true;
  const [arn, , service, , , ...rest] = text.split(':');
  if (arn !== 'arn' || rest.length === 0) return false;
  const resource = rest.join(':');
  const name = UNTYPED_ARNS.has(service!) ? resource : resource.replace(/^[a-z-]+[/:]/i, '');
  return name.startsWith('*');
};

/** Every wildcard action, and every resource that names anything, granted by a role of the template. */
function wildcardGrants(template: Template): string[] {
  const wildcards: string[] = [];
  for (const [roleId, role] of resourcesOf(template, 'AWS::IAM::Role')) {
    const policies = (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
    }[];
    for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
      const actions = [statement.Action].flat();
      const wild = actions.filter((action) => action.endsWith('*'));
      if (wild.length > 0) wildcards.push(`${roleId}: ${wild.join(', ')}`);
      if (actions.every((action) => action.startsWith('logs:') || WITHOUT_RESOURCES.has(action))) continue;
      for (const text of resourceTexts(statement.Resource).filter(namesAnything))
        wildcards.push(`${roleId}: resource ${text} for ${actions.join(', ')}`);
    }
  }
  return wildcards;
}

it('sees a wildcard resource however it is written (so that "none" means something)', () => {
  const statement = (Resource: unknown) => ({ Action: ['sqs:SendMessage'], Resource });
  const role = (statements: unknown[]) => ({
    Type: 'AWS::IAM::Role',
    Properties: { Policies: [{ PolicyDocument: { Statement: statements } }] },
  });
  const planted: Template = {
    Resources: {
      Star: role([statement('*')]),
      AnyQueue: role([statement({ 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*' })]),
      AnyTable: role([statement('arn:aws:dynamodb:eu-west-1:123456789012:table/*')]),
      AnyTeam: role([
        statement({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'sqs', 'eu-west-1', '1', '*-dev-*']] }),
      ]),
      AnyBucket: role([statement('arn:aws:s3:::*')]),
      AnyAction: role([{ Action: 'sqs:*', Resource: 'arn:aws:sqs:eu-west-1:1:orders' }]),
      Owned: role([
        statement('arn:aws:sqs:eu-west-1:123456789012:dlq-console-dev-*'),
        statement({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${RulesBucket}/rules/*' }),
        statement({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] }),
      ]),
    },
  };
  expect(wildcardGrants(planted).map((finding) => finding.split(':')[0])).toEqual([
    'Star',
    'AnyQueue',
    'AnyTable',
    'AnyTeam',
    'AnyBucket',
    'AnyAction',
  ]);
});

/**
 * HTTP methods anyone may call, by service: the dead-letter console's page (GET /), which holds no data: it signs
 * people in, then calls the API with their token.
 */
const PUBLIC_METHODS: Record<string, string[]> = {
  'dlq-console': ['ApiGatewayMethodGet'],
  // The snoop editor's page and its script: no data in either (the script signs people in, then calls the API).
  'rules-ingestion': ['ApiGatewayMethodEditorGet', 'ApiGatewayMethodEditorAppjsGet'],
};

describe.each(serviceNames())('%s packaged for AWS', (name) => {
  const template = (): Template => templates.get(name)!;
  const roleOf = (fn: { Properties: Record<string, unknown> }): string =>
    (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

  it('passes cfn-lint with no error or warning', () => {
    expect(lintFindings.get(name)).toEqual([]);
  });

  it('gives every queue that is not a DLQ a redrive policy, and DLQs a longer retention', () => {
    const queues = new Map(resourcesOf(template(), 'AWS::SQS::Queue'));
    const problems: string[] = [];
    for (const [logicalId, queue] of queues) {
      if (/Dlq$/.test(logicalId)) continue;
      const redrive = queue.Properties.RedrivePolicy as
        { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined;
      if (!redrive) {
        problems.push(`${logicalId}: no redrive policy`);
        continue;
      }
      const dlq = queues.get(redrive.deadLetterTargetArn['Fn::GetAtt'][0])!;
      if (Number(dlq.Properties.MessageRetentionPeriod) <= Number(queue.Properties.MessageRetentionPeriod ?? 345_600))
        problems.push(`${logicalId}: its DLQ keeps messages no longer than it does`);
      if (Boolean(dlq.Properties.FifoQueue) !== Boolean(queue.Properties.FifoQueue))
        problems.push(`${logicalId}: FIFO and its DLQ not, or the reverse`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps every table, bucket and user pool when its stack is deleted or it is replaced, and tags the stack', () => {
    const problems = Object.entries(template().Resources)
      .filter(([, r]) => ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Cognito::UserPool'].includes(r.Type))
      // The framework's deployment bucket holds the packaged code of each deploy, nothing else.
      .filter(([logicalId]) => logicalId !== 'ServerlessDeploymentBucket')
      .filter(([, r]) => r.DeletionPolicy !== 'Retain' || r.UpdateReplacePolicy !== 'Retain')
      .map(([logicalId]) => logicalId);
    expect(problems).toEqual([]);
    expect(stackTags.get(name)).toEqual({ service: name, stage: 'ci', owner: 'platform-team' });
  });

  it('traces every function (X-Ray, active) and lets each send its traces', () => {
    const problems: string[] = [];
    for (const [logicalId, fn] of resourcesOf(template(), 'AWS::Lambda::Function')) {
      if (JSON.stringify(fn.Properties.TracingConfig) !== '{"Mode":"Active"}')
        problems.push(`${logicalId}: not traced`);
      const role = template().Resources[roleOf(fn)]!;
      if (!JSON.stringify(role.Properties).includes('xray:PutTraceSegments'))
        problems.push(`${logicalId}: its role cannot send traces`);
    }
    expect(problems).toEqual([]);
  });

  it('alarms on every function’s errors and throttles, every DLQ’s depth and age and every queue’s backlog, to its topic, and shows them on its dashboard', () => {
    const alarms = resourcesOf(template(), 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    /** The alarms on a metric of a resource (by the logical id its dimension names). */
    const on = (metric: string, logicalId: string) =>
      alarms.filter((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(`"${logicalId}"`));
    const problems: string[] = [];
    for (const [logicalId] of resourcesOf(template(), 'AWS::Lambda::Function'))
      for (const metric of ['Errors', 'Throttles'])
        if (on(metric, logicalId).length !== 1) problems.push(`${logicalId}: no ${metric} alarm`);
    const queues = resourcesOf(template(), 'AWS::SQS::Queue');
    const deadLetterQueues = new Set(
      queues.flatMap(([, queue]) => {
        const redrive = queue.Properties.RedrivePolicy as
          { deadLetterTargetArn: { 'Fn::GetAtt': [string] } } | undefined;
        return redrive ? [redrive.deadLetterTargetArn['Fn::GetAtt'][0]] : [];
      }),
    );
    for (const [logicalId] of queues) {
      const wanted = deadLetterQueues.has(logicalId)
        ? ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']
        : ['ApproximateAgeOfOldestMessage'];
      for (const metric of wanted)
        if (on(metric, logicalId).length !== 1) problems.push(`${logicalId}: no ${metric} alarm`);
    }
    for (const alarm of alarms)
      if (JSON.stringify(alarm.AlarmActions) !== '[{"Ref":"AlarmTopic"}]')
        problems.push(`${String(alarm.AlarmName)}: not to the topic`);
    expect(problems).toEqual([]);
    expect(alarms.length).toBeGreaterThanOrEqual(2 * resourcesOf(template(), 'AWS::Lambda::Function').length);
    // The dashboard shows every function and queue.
    const dashboard = JSON.stringify(resourcesOf(template(), 'AWS::CloudWatch::Dashboard')[0]?.[1].Properties ?? {});
    for (const [logicalId] of [
      ...resourcesOf(template(), 'AWS::Lambda::Function'),
      ...resourcesOf(template(), 'AWS::SQS::Queue'),
    ])
      expect({ logicalId, onTheDashboard: dashboard.includes(`\${${logicalId}`) }).toEqual({
        logicalId,
        onTheDashboard: true,
      });
    expect(resourcesOf(template(), 'AWS::SNS::Topic')).toEqual([
      [
        'AlarmTopic',
        expect.objectContaining({ Properties: expect.objectContaining({ KmsMasterKeyId: 'alias/aws/sns' }) }),
      ],
    ]);
  });

  it('encrypts every queue at rest, keeps every table restorable to any second, and refuses non-TLS on every bucket', () => {
    const problems: string[] = [];
    for (const [logicalId, queue] of resourcesOf(template(), 'AWS::SQS::Queue')) {
      if (queue.Properties.SqsManagedSseEnabled !== true && !queue.Properties.KmsMasterKeyId)
        problems.push(`${logicalId}: not encrypted at rest`);
    }
    for (const [logicalId, table] of resourcesOf(template(), 'AWS::DynamoDB::Table')) {
      const pitr = table.Properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean };
      if (pitr?.PointInTimeRecoveryEnabled !== true) problems.push(`${logicalId}: no point-in-time recovery`);
    }
    const policies = resourcesOf(template(), 'AWS::S3::BucketPolicy').map(([, policy]) => policy.Properties);
    for (const [logicalId] of resourcesOf(template(), 'AWS::S3::Bucket')) {
      const refusesPlainHttp = policies.some(
        (policy) =>
          JSON.stringify(policy.Bucket) === JSON.stringify({ Ref: logicalId }) &&
          (
            policy.PolicyDocument as { Statement: { Effect: string; Condition?: { Bool?: Record<string, unknown> } }[] }
          ).Statement.some(
            (statement) =>
              statement.Effect === 'Deny' &&
              // The framework's own deployment bucket writes false, ours 'false': IAM reads both alike.
              String(statement.Condition?.Bool?.['aws:SecureTransport']) === 'false',
          ),
      );
      if (!refusesPlainHttp) problems.push(`${logicalId}: accepts requests without TLS`);
    }
    expect(problems).toEqual([]);
  });

  it('has no role that no function, task or proxy assumes (the default execution role is gone)', () => {
    const assumed = new Set(resourcesOf(template(), 'AWS::Lambda::Function').map(([, fn]) => roleOf(fn)));
    // The rules engine's task and execution roles, and RDS Proxy's: referenced by what assumes them.
    for (const [, resource] of [
      ...resourcesOf(template(), 'AWS::ECS::TaskDefinition'),
      ...resourcesOf(template(), 'AWS::RDS::DBProxy'),
    ])
      for (const key of ['TaskRoleArn', 'ExecutionRoleArn', 'RoleArn'])
        if (resource.Properties[key])
          assumed.add((resource.Properties[key] as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]);
    const unused = resourcesOf(template(), 'AWS::IAM::Role')
      .map(([logicalId]) => logicalId)
      .filter((logicalId) => !assumed.has(logicalId));
    expect(unused).toEqual([]);
  });

  it('gives each SQS-triggered function its own role, partial batch responses, concurrency capped on its trigger, and a visibility timeout >= 6x its timeout', () => {
    const functions = new Map(resourcesOf(template(), 'AWS::Lambda::Function'));
    const found = [];
    for (const [, mapping] of resourcesOf(template(), 'AWS::Lambda::EventSourceMapping')) {
      const functionId = (mapping.Properties.FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const fn = functions.get(functionId)!;
      const queueId = (mapping.Properties.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const queue = template().Resources[queueId]!;
      found.push({
        functionId,
        responseTypes: mapping.Properties.FunctionResponseTypes,
        // Concurrency is capped where Lambda's pollers honour it; a reserved-concurrency cap throttles batches
        // the pollers already took, and those count toward maxReceiveCount.
        scaling: mapping.Properties.ScalingConfig,
        reserved: fn.Properties.ReservedConcurrentExecutions,
        visibilityAtLeastSixTimeouts: Number(queue.Properties.VisibilityTimeout) >= 6 * Number(fn.Properties.Timeout),
        ownRole: roleOf(fn) !== 'IamRoleLambdaExecution',
        runtime: fn.Properties.Runtime,
      });
    }
    expect(found).toEqual(
      found.map(({ functionId }) => ({
        functionId,
        responseTypes: ['ReportBatchItemFailures'],
        scaling: { MaximumConcurrency: expect.any(Number) },
        reserved: undefined,
        visibilityAtLeastSixTimeouts: true,
        ownRole: true,
        runtime: 'nodejs22.x',
      })),
    );
  });
  it('lets each function resolve the URL of every queue its code resolves by name', () => {
    // The shared consumer resolves its DLQ (DEAD_LETTER_QUEUE_NAME) and, to delay a retry, its source queue;
    // producers resolve the queues they send to (*_QUEUE_NAME). In AWS, GetQueueUrl without a grant is denied.
    const queueNameOf = (logicalId: string): string | undefined =>
      template().Resources[logicalId]?.Properties.QueueName as string | undefined;
    const namesIn = (resource: unknown): string[] => {
      if (typeof resource === 'string') return [resource.slice(resource.lastIndexOf(':') + 1)];
      if (Array.isArray(resource)) return resource.flatMap(namesIn);
      const object = resource as { 'Fn::GetAtt'?: [string, string]; 'Fn::Sub'?: string };
      if (object['Fn::GetAtt']) return [queueNameOf(object['Fn::GetAtt'][0]) ?? ''];
      if (object['Fn::Sub']) return namesIn(object['Fn::Sub']);
      return [];
    };
    const denied: { functionId: string; queue: string }[] = [];
    for (const [functionId, fn] of resourcesOf(template(), 'AWS::Lambda::Function')) {
      const role = template().Resources[(fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]]!;
      const statements = (
        role.Properties.Policies as { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } }[]
      ).flatMap((policy) => policy.PolicyDocument.Statement);
      const resolvable = new Set(
        statements.filter((st) => st.Action.includes('sqs:GetQueueUrl')).flatMap((st) => namesIn(st.Resource)),
      );
      const environment =
        (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const resolved = Object.entries(environment)
        .filter(([variable, value]) => /_QUEUE_NAME$/.test(variable) && typeof value === 'string' && value !== '')
        .map(([, value]) => value as string);
      for (const [, mapping] of resourcesOf(template(), 'AWS::Lambda::EventSourceMapping')) {
        const target = (mapping.Properties.FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const source = (mapping.Properties.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        if (target === functionId) resolved.push(queueNameOf(source)!);
      }
      for (const queue of resolved) if (!resolvable.has(queue)) denied.push({ functionId, queue });
    }
    expect(denied).toEqual([]);
  });

  it('lets only signed callers reach an HTTP endpoint: services by SigV4 (AWS_IAM), people through Cognito', () => {
    const open = resourcesOf(template(), 'AWS::ApiGateway::Method')
      .filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS')
      .filter(
        ([, method]) =>
          method.Properties.AuthorizationType !== 'AWS_IAM' &&
          !(method.Properties.AuthorizationType === 'COGNITO_USER_POOLS' && method.Properties.AuthorizerId),
      )
      .filter(([logicalId]) => !PUBLIC_METHODS[name]?.includes(logicalId))
      .map(([logicalId]) => logicalId);
    expect(open).toEqual([]);
  });

  it('throttles every method of its REST API below the account’s shared limit (custom.apiThrottling)', () => {
    const unthrottled = resourcesOf(template(), 'AWS::ApiGateway::Deployment')
      .filter(([, deployment]) => {
        const stage = deployment.Properties.StageDescription as
          { MethodSettings?: { ResourcePath: string; HttpMethod: string; ThrottlingRateLimit?: number }[] } | undefined;
        return !stage?.MethodSettings?.some(
          (m) => m.ResourcePath === '/*' && m.HttpMethod === '*' && (m.ThrottlingRateLimit ?? 10_000) < 10_000,
        );
      })
      .map(([logicalId]) => logicalId);
    expect(unthrottled).toEqual([]);
  });

  it('never grants wildcard actions or any-name resources outside logs and actions that take no resource', () => {
    expect(wildcardGrants(template())).toEqual([]);
  });
});

describe('the dead-letter console’s audit trail', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const DYNAMODB_WRITES = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQL(Insert|Update|Delete)|\*)$/;
  const console_ = (): Template => templates.get('dlq-console')!;

  it('may be written by one role only, the recorder’s, and only with PutItem (new keys: its code’s condition)', () => {
    const writers: string[] = [];
    for (const [roleId, role] of resourcesOf(console_(), 'AWS::IAM::Role')) {
      const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement))
        if (statement.Effect === 'Allow' && JSON.stringify(statement.Resource).includes('"AuditTable"'))
          for (const action of [statement.Action].flat().filter((a) => DYNAMODB_WRITES.test(a)))
            writers.push(`${roleId}: ${action}`);
    }
    expect(writers).toEqual(['RecordAuditIamRoleLambdaExecution: dynamodb:PutItem']);
  });

  it('denies every principal, the recorder included, any change or deletion of an entry, and any other a write', () => {
    const [, table] = resourcesOf(console_(), 'AWS::DynamoDB::Table').find(([id]) => id === 'AuditTable')!;
    const statements = (table.Properties.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } })
      .PolicyDocument.Statement;
    const denied = (action: string, everyone: boolean) =>
      statements.some(
        (s) =>
          s.Effect === 'Deny' &&
          (s as { Principal?: unknown }).Principal === '*' &&
          [s.Action].flat().includes(action) &&
          (everyone ? s.Condition === undefined : s.Condition !== undefined),
      );
    for (const action of [
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteTable',
    ])
      expect({ action, deniedToEveryone: denied(action, true) }).toEqual({ action, deniedToEveryone: true });
    expect(denied('dynamodb:PutItem', false)).toBe(true);
    // The one exception is the recorder's role, named as serverless-iam-roles-per-function names it.
    const recorder = resourcesOf(console_(), 'AWS::IAM::Role').find(
      ([id]) => id === 'RecordAuditIamRoleLambdaExecution',
    )!;
    const roleName = JSON.stringify(recorder[1].Properties.RoleName);
    const exception = JSON.stringify(statements.find((s) => s.Condition !== undefined)!.Condition);
    expect(roleName).toContain('"recordAudit"');
    expect(exception).toMatch(/:role\/dlq-console-ci-recordAudit-\$\{AWS::Region\}-lambdaRole/);
  });
});

it('lets the dead-letter console reach the project’s queues and no other queue of the account', () => {
  const reached = new Set<string>();
  for (const [, role] of resourcesOf(templates.get('dlq-console')!, 'AWS::IAM::Role')) {
    const policies = role.Properties.Policies as {
      PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] };
    }[];
    for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement))
      if ([statement.Action].flat().some((action) => action.startsWith('sqs:') && action !== 'sqs:ListQueues'))
        for (const resource of [statement.Resource].flat()) {
          const text = JSON.stringify(resource);
          // Its own queues by reference; others by the services' names.
          if (!text.includes('Fn::GetAtt')) reached.add(text.replace(/^.*:(?=[a-z-]+-ci-\*)/, '').replace(/"}$/, ''));
        }
  }
  expect([...reached].sort()).toEqual(
    serviceNames()
      .map((service) => `${service}-ci-*`)
      .sort(),
  );
});

// After the checks above, which read the packaged templates first: the rehearsal packages the services again, into
// the same folders, for its own stage.
describe('the deploy, rehearsed (npm run deploy:rehearse)', () => {
  it('deploys all five stacks through serverless-compose into a local CloudFormation, again with no change, and removes them; every type it stands in for is argued', async () => {
    const { ok, summary } = await rehearse();
    expect(summary).toMatchObject({
      stacks: serviceNames().length,
      unargued_types: [],
      update_ok: true,
      removed: true,
      exit_codes: { first: 0, again: 0, remove: 0 },
    });
    // Stood in for: only what moto does not implement; the rest, most of each stack, is really created.
    expect(summary['stood_in']).toBeLessThan(Number(summary['resources']) / 2);
    expect(ok).toBe(true);
  }, 600_000);
});
