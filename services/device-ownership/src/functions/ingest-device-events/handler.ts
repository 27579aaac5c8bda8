import { buildOncePerContainer, createContractReader, createSqsConsumer, type SqsBatchHandler } from '@backbone/shared';
import { DEVICE_EVENT_CONTRACTS } from '../../../contracts';

import { ingestDeviceEvent } from '../../domain/ingest';
import { wireIngestDeviceEvents, type IngestDeviceEventsDeps } from './wiring';

/**
 * SQS -> the device tables. Each record on its own (an invalid one to the DLQ with its reason, its siblings written);
 * a write Cassandra refused is retried by redelivery, which is safe: every write carries the event's own time.
 */
export function createIngestDeviceEventsHandler(deps: IngestDeviceEventsDeps): SqsBatchHandler {
  const { store, policy } = deps;
  return createSqsConsumer({
    reader: createContractReader(DEVICE_EVENT_CONTRACTS),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: (envelope) => ingestDeviceEvent(envelope, store, policy),
  });
}

export const handler = buildOncePerContainer(async () => createIngestDeviceEventsHandler(wireIngestDeviceEvents()));

export type { IngestDeviceEventsDeps } from './wiring';
