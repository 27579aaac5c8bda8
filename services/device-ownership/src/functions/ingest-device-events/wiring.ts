import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDeadLetterQueueSink,
  createLogger,
  createMetrics,
  createSqsClient,
  loadConfig,
  QueueUrlResolver,
  sqsVisibilityBackoff,
} from '@backbone/shared';
import { z } from 'zod';
import { loadDevicePolicy, openDeviceStores, SERVICE } from '../../composition-root';
import type { IngestDeviceEventsDeps } from './handler';

const ingestConfigSchema = awsEnvironmentSchema.extend({
  DEAD_LETTER_QUEUE_NAME: z.string().min(1),
  MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000),
});

/** The ingest function's side effects: Cassandra, its DLQ, and the source queue's visibility for backoff. */
export function wireIngestDeviceEvents(env: Record<string, string | undefined> = process.env): IngestDeviceEventsDeps {
  const config = loadConfig(ingestConfigSchema, env, `${SERVICE}/ingestDeviceEvents`);
  const sqs = createSqsClient(awsClientSettings(config));
  const queueUrls = new QueueUrlResolver(sqs);
  return {
    store: openDeviceStores(env).events,
    policy: loadDevicePolicy(env),
    deadLetters: createDeadLetterQueueSink(sqs, () => queueUrls.resolve(config.DEAD_LETTER_QUEUE_NAME)),
    backoff: sqsVisibilityBackoff(sqs, queueUrls, { baseSeconds: 2, maxSeconds: 60 }),
    maxReceiveCount: config.MAX_RECEIVE_COUNT,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
