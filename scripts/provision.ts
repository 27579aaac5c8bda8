/**
 * Creates every service's queues, tables and buckets in the local cloud, from
 * the services' own serverless.yml (resolved by "serverless print"): the YAML is
 * the only list of resources. Only data-plane resources are created; functions,
 * roles and event source mappings are not (serverless-offline runs the functions,
 * and an emulator-side SQS->Lambda mapping would steal their messages).
 *
 *   npm run provision [-- --stage local]
 */
import {
  CreateBucketCommand,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientSettings, createDynamoDbClient, createS3Client, createSqsClient } from '../shared/src/aws/clients';
import { loadConfig } from '../shared/src/config';
import { postgresEnvironmentSchema } from '../shared/src/postgres';
import { migrate as migrateRulesIngestion } from '../services/rules-ingestion/src/adapters/migrations';
import { printTable } from './cloud';
import { applyLocalEnvironment, localEnvironment, LOCAL_ACCOUNT_ID } from './local-cloud/environment';
import { resolveService, serviceNames, type ResolvedService } from './local-cloud/services';

const PROVISIONED_TYPES = new Set(['AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket']);

interface Resource {
  service: string;
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

interface Clients {
  region: string;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

function physicalName(resource: Resource): string {
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

function arnOf(resource: Resource, region: string): string {
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
function resolveIntrinsics(value: unknown, resources: Map<string, Resource>, region: string, owner: Resource): unknown {
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
function dependencyOrder(resources: Resource[]): Resource[] {
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

const QUEUE_ATTRIBUTES = [
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

function sameAttribute(current: string | undefined, wanted: string): boolean {
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

async function provisionQueue(clients: Clients, name: string, properties: Record<string, unknown>): Promise<string> {
  const attributes: Record<string, string> = {};
  for (const key of QUEUE_ATTRIBUTES) {
    const value = properties[key];
    if (value === undefined) continue;
    attributes[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  const existing = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })).catch(() => undefined);
  if (existing?.QueueUrl) {
    // Send only what differs: FifoQueue is fixed at creation, and ElasticMQ refuses to set some
    // FIFO attributes (DeduplicationScope) on an existing queue even to the value it has.
    const current: Record<string, string | undefined> =
      (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: existing.QueueUrl, AttributeNames: ['All'] })))
        .Attributes ?? {};
    // An attribute the emulator does not report cannot be compared or changed there: it stays as created.
    const changed = Object.fromEntries(
      Object.entries(attributes).filter(
        ([key, value]) => key !== 'FifoQueue' && current[key] !== undefined && !sameAttribute(current[key], value),
      ),
    );
    if (Object.keys(changed).length === 0) return 'exists';
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing.QueueUrl, Attributes: changed }));
    return `updated ${Object.keys(changed).join(', ')}`;
  }
  await clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return 'created';
}

async function provisionTable(clients: Clients, name: string, properties: Record<string, unknown>): Promise<string> {
  const input = {
    TableName: name,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    BillingMode: properties.BillingMode ?? 'PAY_PER_REQUEST',
    ProvisionedThroughput: properties.ProvisionedThroughput,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
    LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
    StreamSpecification: properties.StreamSpecification,
  } as CreateTableCommandInput;
  let outcome = 'created';
  try {
    await clients.dynamodb.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    outcome = 'exists';
  }
  const ttl = properties.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
  if (ttl && outcome === 'created') {
    await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }));
  }
  return outcome;
}

async function provisionBucket(clients: Clients, name: string, properties: Record<string, unknown>): Promise<string> {
  let outcome = 'created';
  try {
    await clients.s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(clients.region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: clients.region as BucketLocationConstraint } }),
      }),
    );
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw error;
    outcome = 'exists';
  }
  const versioning = properties.VersioningConfiguration as { Status?: 'Enabled' | 'Suspended' } | undefined;
  if (versioning?.Status) {
    await clients.s3.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning.Status } }),
    );
  }
  return outcome;
}

export async function provision(stage = 'local', services = serviceNames()): Promise<void> {
  applyLocalEnvironment();
  const began = Date.now();
  const env = localEnvironment();
  const aws = awsClientSettings({ AWS_REGION: env.AWS_REGION, AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL });
  const clients: Clients = {
    region: aws.region,
    sqs: createSqsClient(aws),
    dynamodb: createDynamoDbClient(aws),
    s3: createS3Client(aws),
  };

  console.log(`provisioning ${services.length} services (stage ${stage}) from their serverless.yml ...`);
  const resolved: ResolvedService[] = [];
  // Two at a time: each "serverless print" is a Node process with the framework loaded.
  for (let i = 0; i < services.length; i += 2) {
    resolved.push(...(await Promise.all(services.slice(i, i + 2).map((name) => resolveService(name, stage)))));
  }

  const rows: Record<string, string>[] = [];
  for (const service of resolved) {
    const all: Resource[] = Object.entries(service.resources).map(([logicalId, r]) => ({
      service: service.service,
      logicalId,
      type: r.Type,
      properties: r.Properties ?? {},
    }));
    const byLogicalId = new Map(all.map((r) => [r.logicalId, r]));
    for (const resource of dependencyOrder(all.filter((r) => PROVISIONED_TYPES.has(r.type)))) {
      const name = physicalName(resource);
      const properties = resolveIntrinsics(resource.properties, byLogicalId, clients.region, resource) as Record<
        string,
        unknown
      >;
      const action =
        resource.type === 'AWS::SQS::Queue'
          ? await provisionQueue(clients, name, properties)
          : resource.type === 'AWS::DynamoDB::Table'
            ? await provisionTable(clients, name, properties)
            : await provisionBucket(clients, name, properties);
      rows.push({
        service: service.service,
        resource: resource.logicalId,
        type: resource.type.split('::').slice(1).join(' '),
        name,
        action,
      });
    }
  }
  printTable(rows);
  console.log(`provisioned ${rows.length} resources in ${((Date.now() - began) / 1000).toFixed(1)} s`);

  // Database schemas are versioned migrations in the service that owns them, as they run against Aurora.
  const applied = await migrateRulesIngestion(loadConfig(postgresEnvironmentSchema, process.env, 'provision'));
  console.log(
    `rules-ingestion database: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`,
  );
}

if (require.main === module) {
  const stageIndex = process.argv.indexOf('--stage');
  const stage = stageIndex > 0 ? (process.argv[stageIndex + 1] ?? 'local') : 'local';
  provision(stage).catch((error: unknown) => {
    console.error(`\nprovision: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
