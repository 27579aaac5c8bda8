import {
  buildOncePerContainer,
  createContractReader,
  consumerSettings,
  createSqsConsumer,
  type SqsBatchHandler,
} from '@backbone/shared';
import { ruleSetPublishedV1 } from '../../../contracts';

import { recordPublishedRuleSet } from '../../domain/active-rule-set';
import { refreshEngines } from '../../domain/engine-refresh';
import { wireRuleSetPublished, type RuleSetPublishedDeps } from './wiring';

/**
 * SQS -> records each published rule set, activates the newest, and tells every engine container to load it (a
 * redelivered announcement of the active version tells them again, which changes nothing where it is loaded).
 */
export function createRuleSetPublishedHandler(deps: RuleSetPublishedDeps): SqsBatchHandler {
  const { store, logger, now = () => new Date() } = deps;
  return createSqsConsumer({
    reader: createContractReader([ruleSetPublishedV1]),
    ...consumerSettings(deps),
    async handle(envelope) {
      const outcome = await recordPublishedRuleSet(envelope.data, store, now());
      logger.info('rule set announcement recorded', {
        ruleSetVersion: envelope.data.ruleSetVersion,
        ruleCount: envelope.data.ruleCount,
        outcome,
        correlationId: envelope.correlationId,
      });
      if (outcome === 'superseded' || !deps.engines) return;
      const refreshed = await refreshEngines(envelope.data.ruleSetVersion, deps.engines);
      logger.info('engine containers refreshed', {
        ruleSetVersion: envelope.data.ruleSetVersion,
        containers: refreshed.map((r) => ({ id: r.target.id, answer: r.answer.kind })),
      });
    },
  });
}

export const handler = buildOncePerContainer(async () => createRuleSetPublishedHandler(wireRuleSetPublished()));

export type { RuleSetPublishedDeps } from './wiring';
