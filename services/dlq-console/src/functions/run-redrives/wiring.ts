import {
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
  type SqsConsumerDeps,
} from '@backbone/shared';
import { openDeadLetterConsole, SERVICE } from '../../composition-root';
import type { DeadLetterConsole } from '../../domain/console';

export interface RunRedrivesDeps extends SqsConsumerDeps {
  console: DeadLetterConsole;
}

/** The redrive worker's side effects: the console (its stores and queues), the jobs queue's DLQ and visibility. */
export function wireRunRedrives(env: Record<string, string | undefined> = process.env): RunRedrivesDeps {
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(
    loadConfig(sqsConsumerConfigSchema, env, `${SERVICE}/runRedrives`),
  );
  return {
    console: openDeadLetterConsole(env),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
