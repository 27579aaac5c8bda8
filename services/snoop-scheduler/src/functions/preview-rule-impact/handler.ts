import {
  buildOncePerContainer,
  createContractReader,
  consumerSettings,
  createSqsConsumer,
  type SqsBatchHandler,
} from '@backbone/shared';
import { impactPreviewRequestedV1 } from '../../../contracts';
import { computeImpactPreview } from '../../domain/impact-preview';
import { wirePreviewRuleImpact, type PreviewRuleImpactDeps } from './wiring';

/**
 * SQS -> the impact of a rules change over the customer store, answered on rules-ingestion's queue. A store that
 * cannot be read is retried (the consumer's backoff, then the DLQ); a rules file that does not compile is answered
 * as failed, with the reason.
 */
export function createPreviewRuleImpactHandler(deps: PreviewRuleImpactDeps): SqsBatchHandler {
  const { logger } = deps;
  return createSqsConsumer({
    reader: createContractReader([impactPreviewRequestedV1]),
    ...consumerSettings(deps),
    async handle(envelope) {
      const request = envelope.data;
      const answer = await computeImpactPreview(request, {
        ...deps.store,
        onPage: (counted) =>
          logger.debug('impact preview: customers counted', { previewId: request.previewId, counted }),
      });
      await deps.answer(answer, envelope.correlationId);
      logger.info('impact preview answered', {
        previewId: request.previewId,
        status: answer.outcome.status,
        snoops: request.snoopIds.length,
        ...(answer.outcome.status === 'computed'
          ? { customers: answer.outcome.report.customers, tookMs: answer.outcome.tookMs }
          : { reason: answer.outcome.reason }),
      });
    },
  });
}

export const handler = buildOncePerContainer(async () => createPreviewRuleImpactHandler(wirePreviewRuleImpact()));

export type { PreviewRuleImpactDeps } from './wiring';
