import type { SqsConsumerDeps } from '@backbone/shared';
import { consumerParts, openDeadLetterConsole } from '../../composition-root';
import type { DeadLetterConsole } from '../../domain/console';

export interface RunRedrivesDeps extends SqsConsumerDeps {
  console: DeadLetterConsole;
}

/** The redrive worker's side effects: the console (its stores and queues), the jobs queue's DLQ and visibility. */
export function wireRunRedrives(env: Record<string, string | undefined> = process.env): RunRedrivesDeps {
  return { console: openDeadLetterConsole(env), ...consumerParts('runRedrives', env) };
}
