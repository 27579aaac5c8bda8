import {
  buildOncePerContainer,
  createContractReader,
  createSqsBatchConsumer,
  deadLetterRecordedV1,
  type SqsBatchHandler,
} from '@backbone/shared';
import { deadLetterFromNotice } from '../../domain/indexing';

import { wireIndexDeadLetters, type IndexDeadLettersDeps } from './wiring';

/**
 * Notices -> the index, a batch at a time (one BatchWriteItem per 25). A notice that is not a DeadLetterRecorded goes
 * to the notices' DLQ with its reason; a batch DynamoDB refused comes back after a backoff (writes are idempotent:
 * the same notice twice is the same item).
 */
export function createIndexDeadLettersHandler(deps: IndexDeadLettersDeps): SqsBatchHandler {
  return createSqsBatchConsumer({
    reader: createContractReader([deadLetterRecordedV1]),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger: deps.logger,
    metrics: deps.metrics,
    handleBatch: async (items) => {
      try {
        await deps.index.put(items.map(({ envelope }) => deadLetterFromNotice(envelope.data)));
        return items.map(() => undefined);
      } catch (error) {
        return items.map(() => error);
      }
    },
  });
}

export const handler = buildOncePerContainer(async () => createIndexDeadLettersHandler(wireIndexDeadLetters()));

export type { IndexDeadLettersDeps } from './wiring';
