/**
 * Each function's IAM policy as a packaged template (`serverless package`) would give it in an account, with the
 * template's intrinsic functions resolved for one stage, region and account, and an evaluation of an AWS call
 * against it with an IAM policy simulator (@cloud-copilot/iam-simulate): identity policy, plus the resource policy
 * of the table or bucket called (an explicit deny there wins, as in AWS).
 *
 * The IAM check (scripts/testing/iam-policies.int.test.ts) holds every call a function made during the integration
 * tests against this; the check is only as good as the resolution, so what cannot be resolved is left as an
 * `unresolved:` string that matches nothing (a call it would have allowed is then reported, never passed).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface Template {
  Parameters?: Record<string, { Default?: unknown }>;
  Resources: Record<string, TemplateResource>;
}

export interface StackContext {
  region: string;
  accountId: string;
  stackName: string;
}

export interface PolicyStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, unknown>;
  Sid?: string;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement[];
}

export interface FunctionPolicy {
  service: string;
  /** The Lambda name (`<service>-<stage>-<function>`), which is also the caller the gateway records. */
  functionName: string;
  roleArn: string;
  policies: Array<{ name: string; policy: PolicyDocument }>;
}

type Resolved = unknown;

/** Resolves CloudFormation's intrinsic functions as a deployed stack would, as far as the template alone allows. */
export function createResolver(template: Template, context: StackContext): (value: unknown) => Resolved {
  const { region, accountId, stackName } = context;
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::StackName': stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const unresolved = (what: unknown): string => `unresolved:${JSON.stringify(what)}`;
  const property = (logicalId: string, name: string): string | undefined => {
    const value = resolve(template.Resources[logicalId]?.Properties?.[name]);
    return typeof value === 'string' ? value : undefined;
  };

  const ref = (name: string): Resolved => {
    if (name in pseudo) return pseudo[name];
    const parameter = template.Parameters?.[name];
    if (parameter) return parameter.Default ?? unresolved({ Ref: name });
    const resource = template.Resources[name];
    if (!resource) return unresolved({ Ref: name });
    switch (resource.Type) {
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${accountId}/${property(name, 'QueueName') ?? name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${accountId}:${property(name, 'TopicName') ?? name}`;
      case 'AWS::SecretsManager::Secret':
        return secretArnOf(region, accountId, property(name, 'Name') ?? name);
      case 'AWS::DynamoDB::Table':
        return property(name, 'TableName') ?? unresolved({ Ref: name });
      case 'AWS::S3::Bucket':
        return property(name, 'BucketName') ?? unresolved({ Ref: name });
      case 'AWS::ECS::Cluster':
        return property(name, 'ClusterName') ?? unresolved({ Ref: name });
      case 'AWS::ECR::Repository':
        return property(name, 'RepositoryName') ?? unresolved({ Ref: name });
      case 'AWS::Logs::LogGroup':
        return property(name, 'LogGroupName') ?? unresolved({ Ref: name });
      default:
        return unresolved({ Ref: name });
    }
  };

  const getAtt = (logicalId: string, attribute: string): Resolved => {
    const resource = template.Resources[logicalId];
    const named = (key: string) => property(logicalId, key);
    const arns: Record<string, () => string | undefined> = {
      'AWS::SQS::Queue': () => `arn:aws:sqs:${region}:${accountId}:${named('QueueName')}`,
      'AWS::DynamoDB::Table': () => `arn:aws:dynamodb:${region}:${accountId}:table/${named('TableName')}`,
      'AWS::S3::Bucket': () => `arn:aws:s3:::${named('BucketName')}`,
      'AWS::ECS::Cluster': () => `arn:aws:ecs:${region}:${accountId}:cluster/${named('ClusterName')}`,
      'AWS::Logs::LogGroup': () => `arn:aws:logs:${region}:${accountId}:log-group:${named('LogGroupName')}:*`,
      'AWS::IAM::Role': () => `arn:aws:iam::${accountId}:role/${named('RoleName')}`,
      'AWS::Lambda::Function': () => `arn:aws:lambda:${region}:${accountId}:function:${named('FunctionName')}`,
      'AWS::SNS::Topic': () => `arn:aws:sns:${region}:${accountId}:${named('TopicName')}`,
    };
    if (!resource) return unresolved({ 'Fn::GetAtt': [logicalId, attribute] });
    if (attribute === 'Arn' || attribute === 'TopicArn') {
      const arn = arns[resource.Type]?.();
      return arn && !arn.includes('undefined') ? arn : unresolved({ 'Fn::GetAtt': [logicalId, attribute] });
    }
    if (attribute === 'QueueName') return named('QueueName');
    if (attribute === 'QueueUrl') return ref(logicalId);
    return unresolved({ 'Fn::GetAtt': [logicalId, attribute] });
  };

  const sub = (text: string, variables: Record<string, unknown>): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return String(resolve(variables[name]));
      const [logicalId, attribute] = name.split('.');
      const value = attribute ? getAtt(logicalId!, attribute) : ref(name);
      return typeof value === 'string' ? value : unresolved(name);
    });

  function resolve(value: unknown): Resolved {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return ref(String(object.Ref));
    if ('Fn::GetAtt' in object) {
      const target = object['Fn::GetAtt'];
      const [logicalId, attribute] = (Array.isArray(target) ? target : String(target).split('.')) as unknown[];
      return getAtt(String(logicalId), String(attribute));
    }
    if ('Fn::Sub' in object) {
      const argument = object['Fn::Sub'];
      return Array.isArray(argument)
        ? sub(String(argument[0]), (argument[1] ?? {}) as Record<string, unknown>)
        : sub(String(argument), {});
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown];
      const list = resolve(parts);
      return Array.isArray(list) ? list.map(String).join(separator) : unresolved(object);
    }
    if ('Fn::Split' in object) {
      const [separator, text] = object['Fn::Split'] as [string, unknown];
      return String(resolve(text)).split(separator);
    }
    if ('Fn::Select' in object) {
      const [index, list] = object['Fn::Select'] as [number, unknown];
      const resolved = resolve(list);
      return Array.isArray(resolved) ? resolved[Number(index)] : unresolved(object);
    }
    const intrinsic = Object.keys(object).find((key) => key.startsWith('Fn::'));
    if (intrinsic) return unresolved(object);
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolve(inner)]));
  }

  return resolve;
}

/** A secret's ARN: AWS appends six random characters to its name; one fixed stand-in on both sides of a comparison. */
export const secretArnOf = (region: string, accountId: string, name: string): string =>
  `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Each function of a packaged template with its role's policies, resolved. */
export function functionPolicies(service: string, template: Template, context: StackContext): FunctionPolicy[] {
  const resolve = createResolver(template, context);
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function')
    .map((fn) => {
      const functionName = String(resolve(fn.Properties?.FunctionName));
      const roleTarget = (fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
      const role = roleTarget ? template.Resources[roleTarget[0]] : undefined;
      if (!role || role.Type !== 'AWS::IAM::Role')
        throw new Error(`${service}: function ${functionName} has no role of its own in the template`);
      const policies = (role.Properties?.Policies ?? []) as Array<{ PolicyName: unknown; PolicyDocument: unknown }>;
      return {
        service,
        functionName,
        roleArn: `arn:aws:iam::${context.accountId}:role/${text(resolve(role.Properties?.RoleName)) || roleTarget![0]}`,
        policies: policies.map((policy) => ({
          name: String(resolve(policy.PolicyName)),
          policy: normalised(resolve(policy.PolicyDocument) as PolicyDocument),
        })),
      };
    });
}

/** The resource policies of a template's tables and buckets, by the ARN they protect. */
export function resourcePolicies(template: Template, context: StackContext): Map<string, PolicyDocument> {
  const resolve = createResolver(template, context);
  const policies = new Map<string, PolicyDocument>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const document = (resource.Properties?.ResourcePolicy as { PolicyDocument?: unknown } | undefined)?.PolicyDocument;
    if (resource.Type === 'AWS::DynamoDB::Table' && document)
      policies.set(
        String(resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] })),
        normalised(resolve(document) as PolicyDocument),
      );
    if (resource.Type === 'AWS::S3::BucketPolicy') {
      const bucket = String(resolve(resource.Properties?.Bucket));
      policies.set(
        `arn:aws:s3:::${bucket}`,
        normalised(resolve(resource.Properties?.PolicyDocument) as PolicyDocument),
      );
    }
  }
  return policies;
}

/** Condition values as strings, as IAM reads them ({"Bool": {"aws:SecureTransport": false}} in serverless' own). */
function normalised(document: PolicyDocument): PolicyDocument {
  const stringify = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(stringify)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, stringify(inner)]))
        : typeof value === 'boolean' || typeof value === 'number'
          ? String(value)
          : value;
  return {
    Version: document.Version ?? '2012-10-17',
    Statement: document.Statement.map((statement) => ({
      ...statement,
      ...(statement.Condition ? { Condition: stringify(statement.Condition) as Record<string, unknown> } : {}),
    })),
  };
}

/** The table or bucket whose resource policy governs a resource ARN (an index is its table's; an object its bucket's). */
export function governingResource(resource: string): string {
  const table = /^(arn:aws:dynamodb:[^:]+:[^:]+:table\/[^/]+)/.exec(resource);
  if (table?.[1]) return table[1];
  const bucket = /^(arn:aws:s3:::[^/]+)/.exec(resource);
  return bucket?.[1] ?? resource;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' | `invalid: ${string}`;

/** What IAM would decide for one call of a function: its role's policies and the resource's own policy. */
export async function decide(
  fn: FunctionPolicy,
  call: { action: string; resource: string },
  resourcePolicy: PolicyDocument | undefined,
  accountId: string,
): Promise<Decision> {
  const response = await runSimulation(
    {
      identityPolicies: fn.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action: call.action,
        principal: fn.roleArn,
        resource: { resource: call.resource, accountId },
        // What AWS puts in every request's context that our policies read: TLS (every SDK call in AWS uses it; the
        // policies that refuse plain HTTP must not refuse these) and who is calling (the audit table lets only its
        // recorder's role add entries).
        contextVariables: {
          'aws:SecureTransport': 'true',
          'aws:PrincipalArn': fn.roleArn,
          'aws:PrincipalAccount': accountId,
        },
      },
    },
    {},
  );
  if (response.resultType === 'error') return `invalid: ${JSON.stringify(response.errors).slice(0, 300)}`;
  return response.overallResult;
}

/** Every action a function's policies allow, with the resources each names: to find what it never used. */
export function grants(fn: FunctionPolicy): Array<{ action: string; resources: string[] }> {
  const list = (value: string | string[] | undefined): string[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const byAction = new Map<string, Set<string>>();
  for (const { policy } of fn.policies)
    for (const statement of policy.Statement.filter((s) => s.Effect === 'Allow'))
      for (const action of list(statement.Action)) {
        const resources = byAction.get(action) ?? new Set<string>();
        for (const resource of list(statement.Resource)) resources.add(resource);
        byAction.set(action, resources);
      }
  return [...byAction].map(([action, resources]) => ({ action, resources: [...resources] }));
}
