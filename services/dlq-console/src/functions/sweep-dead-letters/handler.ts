import { createLogger, type Logger } from '@backbone/shared';
import { sweepDeadLetters } from '../../domain/indexing';
import type { DeadLetterIndex, QueuePort } from '../../domain/ports';
import { openConsoleStores, SERVICE } from '../../composition-root';

export interface SweepDeadLettersDeps {
  queues: QueuePort;
  index: DeadLetterIndex;
  logger: Logger;
}

/** Scheduled: indexes what the DLQs hold and the index lacks (messages moved by a redrive policy, lost notices). */
export function createSweepDeadLettersHandler(deps: SweepDeadLettersDeps) {
  return async () => {
    const results = await sweepDeadLetters(deps.queues, deps.index);
    for (const result of results.filter((r) => r.added > 0))
      deps.logger.info('dead letters indexed by the sweeper', { ...result });
    return results;
  };
}

let built: ReturnType<typeof createSweepDeadLettersHandler> | undefined;
export const handler = async () => {
  built ??= createSweepDeadLettersHandler({ ...openConsoleStores(), logger: createLogger(SERVICE) });
  return built();
};
