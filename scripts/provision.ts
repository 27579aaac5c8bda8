/**
 * Creates every service's queues, tables and buckets in the local cloud, from
 * the services' own serverless.yml (resolved by "serverless print"): the YAML is
 * the only list of resources. Only data-plane resources are created; functions,
 * roles and event source mappings are not (serverless-offline runs the functions,
 * and an emulator-side SQS->Lambda mapping would steal their messages). Then each
 * service's face applies its schema migrations (SQL, CQL) to the local databases.
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
  TagQueueCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientSettings, createDynamoDbClient, createS3Client, createSqsClient } from '@backbone/shared';
import { printTable, readCommandLine } from '@backbone/shared/local';
import { applyLocalEnvironment, localEnvironment } from './local-cloud/environment';
import {
  dependencyOrder,
  physicalName,
  PROVISIONED_TYPES,
  QUEUE_ATTRIBUTES,
  resolveIntrinsics,
  sameAttribute,
  type Resource,
} from './local-cloud/resources';
import {
  discoverServices,
  localContext,
  resolveService,
  serverlessServices,
  type LocalService,
  type ResolvedService,
} from './local-cloud/services';

interface Clients {
  region: string;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  s3: S3Client;
}

/** A queue's CloudFormation Tags as SQS takes them: {key: value}. */
const tagsOf = (properties: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    ((properties['Tags'] as { Key: string; Value: string }[] | undefined) ?? []).map(({ Key, Value }) => [Key, Value]),
  );

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
    const tags = tagsOf(properties);
    if (Object.keys(tags).length > 0)
      await clients.sqs.send(new TagQueueCommand({ QueueUrl: existing.QueueUrl, Tags: tags }));
    if (Object.keys(changed).length === 0) return 'exists';
    await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing.QueueUrl, Attributes: changed }));
    return `updated ${Object.keys(changed).join(', ')}`;
  }
  const tags = tagsOf(properties);
  await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: attributes,
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
    }),
  );
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

export async function provision(stage = 'local', services: LocalService[] = discoverServices()): Promise<void> {
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

  // Resources are declared in serverless.yml, so only Serverless services have any to create here.
  const declaring = serverlessServices(services);
  console.log(`provisioning ${declaring.length} services (stage ${stage}) from their serverless.yml ...`);
  const resolved: ResolvedService[] = [];
  // Two at a time: each "serverless print" is a Node process with the framework loaded.
  for (let i = 0; i < declaring.length; i += 2) {
    resolved.push(...(await Promise.all(declaring.slice(i, i + 2).map((s) => resolveService(s.name, stage)))));
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
      // Who may do what to it (a table's resource policy) is IAM's, which the local cloud does not enforce.
      const dataPlane = Object.fromEntries(
        Object.entries(resource.properties).filter(([property]) => property !== 'ResourcePolicy'),
      );
      const properties = resolveIntrinsics(dataPlane, byLogicalId, clients.region, resource) as Record<string, unknown>;
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
  for (const client of [clients.sqs, clients.dynamodb, clients.s3]) client.destroy();

  // Database schemas are versioned migrations in the service that owns them, as they run against Aurora.
  for (const service of services) {
    if (!service.face.migrate) continue;
    for (const line of await service.face.migrate(localContext(service, stage)))
      console.log(`${service.name}: ${line}`);
  }
}

if (require.main === module) {
  const { values } = readCommandLine(
    ['provision', ...process.argv.slice(2)],
    { stage: { type: 'string', default: 'local' } },
    'usage: npm run provision [-- --stage <stage>]',
  );
  const stage = values.stage;
  provision(stage).catch((error: unknown) => {
    console.error(`\nprovision: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
