import {
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { openConsoleStores, SERVICE } from '../../composition-root';
import type { SqsConsumerDeps } from '@backbone/shared';
import type { DeadLetterIndex } from '../../domain/ports';

export interface IndexDeadLettersDeps extends SqsConsumerDeps {
  index: DeadLetterIndex;
}

/** The indexer's side effects: the index table, the notices' DLQ, and the notices queue's visibility for backoff. */
export function wireIndexDeadLetters(env: Record<string, string | undefined> = process.env): IndexDeadLettersDeps {
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(
    loadConfig(sqsConsumerConfigSchema, env, `${SERVICE}/indexDeadLetters`),
  );
  return {
    index: openConsoleStores(env).index,
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
