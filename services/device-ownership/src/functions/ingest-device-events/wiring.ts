import {
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { loadDevicePolicy, openDeviceStores, SERVICE } from '../../composition-root';
import type { SqsConsumerDeps } from '@backbone/shared';
import type { DeviceEventStore } from '../../domain/ingest';
import type { DevicePolicy } from '../../domain/rules';

export interface IngestDeviceEventsDeps extends SqsConsumerDeps {
  store: DeviceEventStore;
  policy: DevicePolicy;
}

/** The ingest function's side effects: Cassandra, its DLQ, and the source queue's visibility for backoff. */
export function wireIngestDeviceEvents(env: Record<string, string | undefined> = process.env): IngestDeviceEventsDeps {
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(
    loadConfig(sqsConsumerConfigSchema, env, `${SERVICE}/ingestDeviceEvents`),
  );
  return {
    store: openDeviceStores(env).events,
    policy: loadDevicePolicy(env),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
