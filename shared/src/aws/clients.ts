import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { traced } from '../observability/tracing';

/**
 * The single place where AWS clients are built. In AWS no endpoint is set and the
 * SDK's defaults apply; against the local cloud (or LocalStack) AWS_ENDPOINT_URL
 * points every client at the emulator. Service-specific overrides use the SDK's
 * own variable names, so the same code runs in both places unchanged.
 */
export const awsEnvironmentSchema = z.object({
  AWS_REGION: z.string().min(1, 'set AWS_REGION, e.g. eu-west-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_ENDPOINT_URL_SQS: z.url().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.url().optional(),
  AWS_ENDPOINT_URL_S3: z.url().optional(),
  AWS_ENDPOINT_URL_SECRETS_MANAGER: z.url().optional(),
  AWS_ENDPOINT_URL_SSM: z.url().optional(),
  // The credentials, when the environment given names them (a Lambda's does; a test that runs a function's code in
  // its own process gives that function's local key, so the gateway attributes the calls to it: IAM check).
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
});

export type AwsEnvironment = z.infer<typeof awsEnvironmentSchema>;

export interface AwsClientSettings {
  region: string;
  endpoints: { sqs?: string; dynamodb?: string; s3?: string; secretsManager?: string; ssm?: string };
  /** Absent: the SDK's default chain (environment, container, instance role) finds them. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function awsClientSettings(env: AwsEnvironment): AwsClientSettings {
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  return {
    region: env.AWS_REGION,
    ...(credentials ? { credentials } : {}),
    endpoints: {
      sqs: env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL,
      dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL,
      s3: env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL,
      secretsManager: env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? env.AWS_ENDPOINT_URL,
      ssm: env.AWS_ENDPOINT_URL_SSM ?? env.AWS_ENDPOINT_URL,
    },
  };
}

// Lambda reuses a container for many invocations: a few retries with the SDK's
// adaptive backoff, then the failure goes to our own retry policy (SQS redelivery).
const MAX_ATTEMPTS = 4;

/**
 * Drops the SDK's request-logging middleware. With no logger configured the SDK logs to a no-op logger,
 * yet still copies every command's input and output through its sensitive-data filter first: for a
 * 100-item DynamoDB batch that is a deep walk of every item, on every call, for nothing. We log what
 * happened ourselves (Powertools), never SDK payloads.
 */
function withoutRequestLogging<TClient extends { middlewareStack: { remove(name: string): boolean } }>(
  client: TClient,
): TClient {
  client.middlewareStack.remove('loggerMiddleware');
  // Traced here, so that every client of every service is (X-Ray, when the stage traces: observability/tracing.ts).
  return traced(client);
}

export function createSqsClient(settings: AwsClientSettings): SQSClient {
  return withoutRequestLogging(
    new SQSClient({
      region: settings.region,
      credentials: settings.credentials,
      endpoint: settings.endpoints.sqs,
      maxAttempts: MAX_ATTEMPTS,
    }),
  );
}

export function createDynamoDbClient(settings: AwsClientSettings): DynamoDBClient {
  return withoutRequestLogging(
    new DynamoDBClient({
      region: settings.region,
      credentials: settings.credentials,
      endpoint: settings.endpoints.dynamodb,
      maxAttempts: MAX_ATTEMPTS,
    }),
  );
}

export function createDocumentClient(settings: AwsClientSettings): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(settings), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function createS3Client(settings: AwsClientSettings): S3Client {
  const endpoint = settings.endpoints.s3;
  return withoutRequestLogging(
    new S3Client({
      region: settings.region,
      credentials: settings.credentials,
      endpoint,
      // Emulators serve buckets by path; virtual-host style would ask DNS for <bucket>.127.0.0.1.
      forcePathStyle: endpoint !== undefined,
      maxAttempts: MAX_ATTEMPTS,
    }),
  );
}

export function createSecretsManagerClient(settings: AwsClientSettings): SecretsManagerClient {
  return withoutRequestLogging(
    new SecretsManagerClient({
      region: settings.region,
      credentials: settings.credentials,
      endpoint: settings.endpoints.secretsManager,
      maxAttempts: MAX_ATTEMPTS,
    }),
  );
}

export function createSsmClient(settings: AwsClientSettings): SSMClient {
  return withoutRequestLogging(
    new SSMClient({
      region: settings.region,
      credentials: settings.credentials,
      endpoint: settings.endpoints.ssm,
      maxAttempts: MAX_ATTEMPTS,
    }),
  );
}
