/**
 * Every Serverless service packages offline ("serverless package", no AWS account), and the
 * packaged CloudFormation follows the platform's queue rules.
 */
import { readFileSync } from 'node:fs';
import { packageService } from '../package-all';
import { discoverServices, serverlessServices } from '../local-cloud/services';

const serviceNames = (): string[] => serverlessServices(discoverServices()).map((s) => s.name);

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const templates = new Map<string, Template>();

beforeAll(async () => {
  for (const name of serviceNames()) {
    const packaged = await packageService(name, 'ci');
    templates.set(name, JSON.parse(readFileSync(packaged.templatePath, 'utf8')) as Template);
  }
}, 300_000);

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

describe.each(serviceNames())('%s packaged for AWS', (name) => {
  const template = (): Template => templates.get(name)!;

  it('gives every queue that is not a DLQ a redrive policy, and DLQs a longer retention', () => {
    const queues = new Map(resourcesOf(template(), 'AWS::SQS::Queue'));
    for (const [logicalId, queue] of queues) {
      const redrive = queue.Properties.RedrivePolicy as
        { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined;
      if (/Dlq$/.test(logicalId)) continue;
      expect({ logicalId, hasRedrive: redrive !== undefined }).toEqual({ logicalId, hasRedrive: true });
      const dlq = queues.get(redrive!.deadLetterTargetArn['Fn::GetAtt'][0])!;
      expect(Number(dlq.Properties.MessageRetentionPeriod)).toBeGreaterThan(
        Number(queue.Properties.MessageRetentionPeriod ?? 345_600),
      );
      expect(Boolean(dlq.Properties.FifoQueue)).toBe(Boolean(queue.Properties.FifoQueue));
    }
  });

  it('gives each SQS-triggered function its own role, partial batch responses, concurrency capped on its trigger, and a visibility timeout >= 6x its timeout', () => {
    const functions = new Map(resourcesOf(template(), 'AWS::Lambda::Function'));
    for (const [, mapping] of resourcesOf(template(), 'AWS::Lambda::EventSourceMapping')) {
      const functionId = (mapping.Properties.FunctionName as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const fn = functions.get(functionId)!;
      const queueId = (mapping.Properties.EventSourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const queue = template().Resources[queueId]!;
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      // Concurrency is capped where Lambda's pollers honour it; a reserved-concurrency cap throttles batches the
      // pollers already took, and those count toward maxReceiveCount.
      expect({ functionId, scaling: mapping.Properties.ScalingConfig }).toEqual({
        functionId,
        scaling: { MaximumConcurrency: expect.any(Number) },
      });
      expect({ functionId, reserved: fn.Properties.ReservedConcurrentExecutions }).toEqual({
        functionId,
        reserved: undefined,
      });
      expect(Number(queue.Properties.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(fn.Properties.Timeout));
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(role).not.toBe('IamRoleLambdaExecution');
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
    }
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

  it('lets only SigV4-signed callers (AWS_IAM) reach an HTTP endpoint', () => {
    for (const [logicalId, method] of resourcesOf(template(), 'AWS::ApiGateway::Method')) {
      if (method.Properties.HttpMethod === 'OPTIONS') continue;
      expect({ logicalId, authorization: method.Properties.AuthorizationType }).toEqual({
        logicalId,
        authorization: 'AWS_IAM',
      });
    }
  });

  it('never grants wildcard actions or resources outside logs', () => {
    for (const [, role] of resourcesOf(template(), 'AWS::IAM::Role')) {
      const policies = role.Properties.Policies as {
        PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
      }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        expect(statement.Action.filter((action) => action.endsWith('*') || action === '*')).toEqual([]);
        if (statement.Action.every((action) => action.startsWith('logs:'))) continue;
        expect(JSON.stringify(statement.Resource)).not.toMatch(/"\*"/);
      }
    }
  });
});
