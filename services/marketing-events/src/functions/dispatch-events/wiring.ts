/**
 * The dispatcher's side effects: configuration, the platforms' secrets (SSM in AWS), the HTTP transport, the
 * delivery ledger (DynamoDB), the DLQ and the source queue's visibility. The handler takes its parts from here.
 */
import {
  commaSeparated,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSsmClient,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';

import { createDynamoDbDeliveryLedger, createDynamoDbDestinationStatusBoard } from '../../../contracts';

import type { SSMClient } from '@aws-sdk/client-ssm';

import { z } from 'zod';

import { createHttpTransport } from '../../adapters/http-transport';

import type { Destination } from '../../domain/destination';

import { PLATFORM_NAMES } from '../../domain/platforms';
import { buildDestinations, SERVICE } from '../../composition-root';

import type { DeadLetterSink, Logger, Metrics, RetryBackoff } from '@backbone/shared';

import type { DestinationStatusBoard } from '../../../contracts';

import type { DeliveryLedger } from '../../domain/dispatch';

import type { Routing } from '../../domain/platforms';

export interface DispatchEventsDeps {
  destinations: readonly Destination[];
  ledger: DeliveryLedger;
  /** Where each platform's latest answers are noted, for the dead-letter console's dry runs. */
  statusBoard?: DestinationStatusBoard;
  deadLetters: DeadLetterSink;
  maxReceiveCount: number;
  logger: Logger;
  backoff?: RetryBackoff;
  metrics?: Metrics;
  routing?: Routing;
  now?: () => Date;
}

export const dispatcherConfigSchema = sqsConsumerConfigSchema.extend({
  DELIVERIES_TABLE: z.string().min(3),
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(5),
  RETRY_MAX_SECONDS: z.coerce.number().positive().default(300),
  DESTINATIONS: commaSeparated.pipe(z.array(z.enum(PLATFORM_NAMES as [string, ...string[]]))),
  // Long enough that a slow answer is rarely abandoned: an abandoned request that the platform did
  // commit is sent again, and only Meta and the webhook's receivers deduplicate; GA4 does not.
  DESTINATION_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
});

export type DispatcherConfig = z.infer<typeof dispatcherConfigSchema>;

export async function wireDispatchEvents(
  env: Record<string, string | undefined> = process.env,
): Promise<DispatchEventsDeps> {
  const config = loadConfig(dispatcherConfigSchema, env, `${SERVICE}/dispatchEvents`);
  const { aws, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  let ssm: SSMClient | undefined;
  const documents = createDocumentClient(aws);
  return {
    destinations: await buildDestinations(
      env,
      createHttpTransport(config.DESTINATION_TIMEOUT_MS),
      () => (ssm ??= createSsmClient(aws)),
    ),
    ledger: createDynamoDbDeliveryLedger(documents, config.DELIVERIES_TABLE),
    statusBoard: createDynamoDbDestinationStatusBoard(documents, config.DELIVERIES_TABLE),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
