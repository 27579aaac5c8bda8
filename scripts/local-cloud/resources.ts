/**
 * What provisioning reads from a resolved serverless.yml, without touching the cloud: which resources are
 * data-plane resources, their physical names and ARNs, the intrinsic functions their properties use, and the
 * order that creates a queue after its DLQ.
 */
import { LOCAL_ACCOUNT_ID } from './environment';

export const PROVISIONED_TYPES = new Set(['AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket']);

export interface Resource {
  service: string;
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

export function physicalName(resource: Resource): string {
  const key = { 'AWS::SQS::Queue': 'QueueName', 'AWS::DynamoDB::Table': 'TableName', 'AWS::S3::Bucket': 'BucketName' }[
    resource.type
  ];
  const name = key ? resource.properties[key] : undefined;
  if (typeof name !== 'string') {
    throw new Error(
      `${resource.service}: resource ${resource.logicalId} has no ${key}. Give every queue, table and bucket an ` +
        `explicit name in serverless.yml, so that functions can be told its name before deployment.`,
    );
  }
  return name;
}

export function arnOf(resource: Resource, region: string): string {
  const name = physicalName(resource);
  switch (resource.type) {
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${region}:${LOCAL_ACCOUNT_ID}:table/${name}`;
    default:
      return `arn:aws:s3:::${name}`;
  }
}

/** Resolves the intrinsic functions data-plane properties use: Ref and Fn::GetAtt [X, Arn]. */
export function resolveIntrinsics(
  value: unknown,
  resources: Map<string, Resource>,
  region: string,
  owner: Resource,
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources, region, owner));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const target = (logicalId: unknown): Resource => {
    const found = typeof logicalId === 'string' ? resources.get(logicalId) : undefined;
    if (!found) throw new Error(`${owner.service}: ${owner.logicalId} refers to unknown resource ${String(logicalId)}`);
    return found;
  };
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn')
      throw new Error(`${owner.service}: Fn::GetAtt ${logicalId}.${attribute} is not supported locally`);
    return arnOf(target(logicalId), region);
  }
  if ('Ref' in object) return physicalName(target(object.Ref));
  const intrinsic = Object.keys(object).find((key) => key.startsWith('Fn::'));
  if (intrinsic)
    throw new Error(
      `${owner.service}: ${owner.logicalId} uses ${intrinsic}, which local provisioning does not resolve`,
    );
  return Object.fromEntries(
    Object.entries(object).map(([k, v]) => [k, resolveIntrinsics(v, resources, region, owner)]),
  );
}

/** Order so that a resource comes after those it references (a queue after its DLQ). */
export function dependencyOrder(resources: Resource[]): Resource[] {
  const byId = new Map(resources.map((r) => [`${r.service}/${r.logicalId}`, r]));
  const references = (r: Resource): string[] =>
    [...JSON.stringify(r.properties).matchAll(/"(?:Ref|Fn::GetAtt)":\s*(?:"([^"]+)"|\["([^"]+)")/g)].map(
      (m) => `${r.service}/${m[1] ?? m[2]}`,
    );
  const ordered: Resource[] = [];
  const visited = new Set<string>();
  const visit = (id: string): void => {
    if (visited.has(id)) return;
    visited.add(id);
    const resource = byId.get(id);
    if (!resource) return;
    references(resource).forEach(visit);
    ordered.push(resource);
  };
  resources.forEach((r) => visit(`${r.service}/${r.logicalId}`));
  return ordered;
}

export const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

export function sameAttribute(current: string | undefined, wanted: string): boolean {
  if (current === undefined) return false;
  try {
    // Redrive policies come back as JSON with maxReceiveCount as a number or a string.
    return (
      JSON.stringify(JSON.parse(current), (_k, v: unknown) => (typeof v === 'number' ? String(v) : v)) ===
      JSON.stringify(JSON.parse(wanted), (_k, v: unknown) => (typeof v === 'number' ? String(v) : v))
    );
  } catch {
    return current === wanted;
  }
}
