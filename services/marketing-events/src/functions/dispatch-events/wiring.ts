/**
 * The dispatcher's side effects: configuration, the platforms' secrets (SSM in AWS), the HTTP transport, the
 * delivery ledger (DynamoDB), the DLQ and the source queue's visibility. The handler takes its parts from here.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  commaSeparated,
  createDeadLetterQueueSink,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSqsClient,
  createSsmClient,
  loadConfig,
  QueueUrlResolver,
  sqsVisibilityBackoff,
} from '@backbone/shared';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { createDynamoDbDeliveryLedger } from '../../adapters/dynamodb-ledger';
import { createHttpTransport } from '../../adapters/http-transport';
import type { Destination, DestinationName } from '../../domain/destination';
import { ga4Destination } from '../../domain/ga4';
import { metaDestination } from '../../domain/meta';
import type { HttpTransport } from '../../domain/outcome';
import { webhookDestination } from '../../domain/webhook';
import { SERVICE } from '../../service';
import type { DispatcherParts } from './handler';

/**
 * A secret is either in the environment (locally: the sandbox's values) or, in AWS, named by
 * `<NAME>_PARAMETER`: an SSM SecureString read at cold start, never written to serverless.yml or logs.
 */
type SecretName = 'META_ACCESS_TOKEN' | 'GA4_API_SECRET' | 'WEBHOOK_SIGNING_KEY';

export const dispatcherConfigSchema = awsEnvironmentSchema.extend({
  DELIVERIES_TABLE: z.string().min(3),
  DEAD_LETTER_QUEUE_NAME: z.string().min(1),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(5),
  RETRY_MAX_SECONDS: z.coerce.number().positive().default(300),
  DESTINATIONS: commaSeparated.pipe(z.array(z.enum(['meta', 'ga4', 'webhook']))),
  // Long enough that a slow answer is rarely abandoned: an abandoned request that the platform did
  // commit is sent again, and only Meta and the webhook's receivers deduplicate; GA4 does not.
  DESTINATION_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  META_BASE_URL: z.url().default('https://graph.facebook.com'),
  META_API_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v24.0'),
  META_DATASET_ID: z.string().optional(),
  META_TEST_EVENT_CODE: z.string().optional(),
  GA4_BASE_URL: z.url().default('https://www.google-analytics.com'),
  GA4_FIREBASE_APP_ID: z.string().optional(),
  WEBHOOK_URL: z.url().optional(),
  META_ACCESS_TOKEN: z.string().optional(),
  META_ACCESS_TOKEN_PARAMETER: z.string().optional(),
  GA4_API_SECRET: z.string().optional(),
  GA4_API_SECRET_PARAMETER: z.string().optional(),
  WEBHOOK_SIGNING_KEY: z.string().optional(),
  WEBHOOK_SIGNING_KEY_PARAMETER: z.string().optional(),
});

export type DispatcherConfig = z.infer<typeof dispatcherConfigSchema>;

async function readSecret(config: DispatcherConfig, name: SecretName, ssm: () => SSMClient): Promise<string> {
  const parameter = config[`${name}_PARAMETER`];
  if (parameter) {
    const value = await getParameter(parameter, { decrypt: true, maxAge: 300, sdkClient: ssm() });
    if (!value) throw new Error(`SSM parameter ${parameter} (for ${name}) is empty`);
    return value;
  }
  const value = config[name];
  if (!value) throw new Error(`set ${name} (locally) or ${name}_PARAMETER (an SSM SecureString name, in AWS)`);
  return value;
}

function required(config: DispatcherConfig, name: keyof DispatcherConfig, destination: DestinationName): string {
  const value = config[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`destination ${destination} is enabled: set ${String(name)}`);
  return value;
}

export async function buildDestinations(
  config: DispatcherConfig,
  http: HttpTransport,
  /** Called only if some secret is in SSM; the same client serves them all. */
  ssm: () => SSMClient,
): Promise<Destination[]> {
  return Promise.all(
    config.DESTINATIONS.map(async (name): Promise<Destination> => {
      switch (name) {
        case 'meta':
          return metaDestination(
            {
              baseUrl: config.META_BASE_URL,
              apiVersion: config.META_API_VERSION,
              datasetId: required(config, 'META_DATASET_ID', name),
              accessToken: await readSecret(config, 'META_ACCESS_TOKEN', ssm),
              testEventCode: config.META_TEST_EVENT_CODE,
            },
            http,
          );
        case 'ga4':
          return ga4Destination(
            {
              baseUrl: config.GA4_BASE_URL,
              firebaseAppId: required(config, 'GA4_FIREBASE_APP_ID', name),
              apiSecret: await readSecret(config, 'GA4_API_SECRET', ssm),
            },
            http,
          );
        case 'webhook':
          return webhookDestination(
            {
              url: required(config, 'WEBHOOK_URL', name),
              signingKey: await readSecret(config, 'WEBHOOK_SIGNING_KEY', ssm),
            },
            http,
          );
      }
    }),
  );
}

export async function wireDispatcher(env: Record<string, string | undefined> = process.env): Promise<DispatcherParts> {
  const config = loadConfig(dispatcherConfigSchema, env, `${SERVICE}/dispatchEvents`);
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  let ssm: SSMClient | undefined;
  return {
    destinations: await buildDestinations(
      config,
      createHttpTransport(config.DESTINATION_TIMEOUT_MS),
      () => (ssm ??= createSsmClient(aws)),
    ),
    ledger: createDynamoDbDeliveryLedger(createDocumentClient(aws), config.DELIVERIES_TABLE),
    deadLetters: createDeadLetterQueueSink(sqs, () => queueUrls.resolve(config.DEAD_LETTER_QUEUE_NAME)),
    backoff: sqsVisibilityBackoff(sqs, queueUrls, {
      baseSeconds: config.RETRY_BASE_SECONDS,
      maxSeconds: config.RETRY_MAX_SECONDS,
    }),
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
