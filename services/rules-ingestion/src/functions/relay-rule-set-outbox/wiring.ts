import { createLogger, type Logger } from '@backbone/shared';
import { createRuleSetRelay, SERVICE } from '../../composition-root';
import type { PublishOutcome } from '../../domain/rule-set';

export interface RelayRuleSetOutboxDeps {
  relay: () => Promise<{ rows: number; promoted: number; outcome?: PublishOutcome }>;
  logger: Logger;
}

/** The relay's side effects: PostgreSQL (or Aurora: the outbox and the approved definitions), S3, the announcement. */
export function wireRelayRuleSetOutbox(env: Record<string, string | undefined> = process.env): RelayRuleSetOutboxDeps {
  return { relay: createRuleSetRelay(env).relay, logger: createLogger(SERVICE) };
}
