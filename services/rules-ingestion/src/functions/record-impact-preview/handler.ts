import {
  buildOncePerContainer,
  createContractReader,
  consumerSettings,
  createSqsConsumer,
  PermanentError,
  type SqsBatchHandler,
} from '@backbone/shared';
import { impactPreviewComputedV1 } from '@backbone/snoop-scheduler/contracts';
import { wireRecordImpactPreview, type RecordImpactPreviewDeps } from './wiring';

/**
 * SQS -> keeps snoop-scheduler's answer to an impact preview. An answer sent twice is kept once; an answer to a
 * preview nobody asked for goes to the DLQ with the reason (a stage mix-up, not something to drop silently).
 */
export function createRecordImpactPreviewHandler(deps: RecordImpactPreviewDeps): SqsBatchHandler {
  const { logger } = deps;
  return createSqsConsumer({
    reader: createContractReader([impactPreviewComputedV1]),
    ...consumerSettings(deps),
    async handle(envelope) {
      const outcome = await deps.record(envelope.data);
      if (outcome === 'unknown')
        throw new PermanentError(
          `no impact preview ${envelope.data.previewId} was asked for here: check the stage that sent it`,
        );
      logger.info('impact preview answer kept', {
        previewId: envelope.data.previewId,
        status: envelope.data.outcome.status,
        outcome,
      });
    },
  });
}

export const handler = buildOncePerContainer(async () => createRecordImpactPreviewHandler(wireRecordImpactPreview()));

export type { RecordImpactPreviewDeps } from './wiring';
