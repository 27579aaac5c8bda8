import { createLogger, type Logger } from '@backbone/shared';
import { openConsoleStores, SERVICE } from '../../composition-root';
import type { DeadLetterIndex, QueuePort } from '../../domain/ports';

export interface SweepDeadLettersDeps {
  queues: QueuePort;
  /** What it reads of the index (its counts, which ids it has) and adds. */
  index: Pick<DeadLetterIndex, 'groups' | 'has' | 'put'>;
  logger: Logger;
}

/** The sweeper's side effects: the stage's queues and the dead-letter index. */
export function wireSweepDeadLetters(env: Record<string, string | undefined> = process.env): SweepDeadLettersDeps {
  const { queues, index } = openConsoleStores(env);
  return { queues, index, logger: createLogger(SERVICE) };
}
