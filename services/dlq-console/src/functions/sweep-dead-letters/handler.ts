import { buildOncePerContainer } from '@backbone/shared';
import { sweepDeadLetters } from '../../domain/indexing';
import { wireSweepDeadLetters, type SweepDeadLettersDeps } from './wiring';

/** Scheduled: indexes what the DLQs hold and the index lacks (messages moved by a redrive policy, lost notices). */
export function createSweepDeadLettersHandler(deps: SweepDeadLettersDeps) {
  return async () => {
    const results = await sweepDeadLetters(deps.queues, deps.index);
    for (const result of results.filter((r) => r.added > 0))
      deps.logger.info('dead letters indexed by the sweeper', { ...result });
    return results;
  };
}

export const handler = buildOncePerContainer(async () => createSweepDeadLettersHandler(wireSweepDeadLetters()));

export type { SweepDeadLettersDeps } from './wiring';
