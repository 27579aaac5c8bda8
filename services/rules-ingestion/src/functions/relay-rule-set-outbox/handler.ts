import { buildOncePerContainer } from '@backbone/shared';
import { wireRelayRuleSetOutbox, type RelayRuleSetOutboxDeps } from './wiring';

/**
 * Every minute (and locally every second, npm start's stand-in): publishes the approved definitions if an approval
 * or a restore asked for it since. A failure throws, so the rows wait for the next run and the error alarms.
 */
export function createRelayRuleSetOutboxHandler({ relay, logger }: RelayRuleSetOutboxDeps) {
  return async (): Promise<{ rows: number; promoted?: number; status?: string; ruleSetVersion?: string }> => {
    const { rows, promoted, outcome } = await relay();
    if (promoted > 0) logger.info('scheduled approvals took effect', { promoted });
    if (rows === 0 || !outcome) return { rows, ...(promoted > 0 ? { promoted } : {}) };
    const ruleSetVersion =
      outcome.status === 'published'
        ? outcome.published.ruleSetVersion
        : outcome.status === 'unchanged'
          ? outcome.version
          : undefined;
    logger.info('outbox relayed', { rows, outcome: outcome.status, ruleSetVersion });
    return {
      rows,
      ...(promoted > 0 ? { promoted } : {}),
      status: outcome.status,
      ...(ruleSetVersion ? { ruleSetVersion } : {}),
    };
  };
}

export const handler = buildOncePerContainer(async () => createRelayRuleSetOutboxHandler(wireRelayRuleSetOutbox()));
