import type { Context } from 'aws-lambda';

import { buildOncePerContainer, timeLeftKeeping } from '@backbone/shared';
import { runIdSchema } from '../../../contracts';

import { queueNightlyRun, type QueueRunOutcome } from '../../domain/nightly-run';
import { wireQueueEligibleCustomers, type QueueEligibleCustomersDeps } from './wiring';

/** Time kept in hand when the invocation stops paging (the next trigger continues). */
const STOP_RESERVE_MS = 5_000;

/**
 * The schedule -> the night's run: opened once, its eligible customers paged onto the eligible-customers queue from
 * the stored cursor until done or out of time (the next trigger of the night continues).
 */
export function createQueueEligibleCustomersHandler(deps: QueueEligibleCustomersDeps) {
  return async (
    event: { runId?: unknown; maxCustomers?: unknown } | undefined,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<QueueRunOutcome> => {
    // The schedule's event names no run (the night's); an invocation by hand may ({"runId": "rerun-..."}).
    const named = typeof event?.runId === 'string' ? runIdSchema.parse(event.runId) : undefined;
    // A sample run by hand ({"runId": ..., "maxCustomers": 300}); never the schedule's.
    const maxCustomers =
      named && typeof event?.maxCustomers === 'number' && event.maxCustomers > 0 ? event.maxCustomers : undefined;
    const rulesVersion = await deps.activeRulesVersion();
    const outcome = await queueNightlyRun({
      runs: deps.runs,
      pageEligibleCustomers: deps.pageEligibleCustomers,
      queue: deps.queue,
      ...(rulesVersion ? { rulesVersion } : {}),
      now: (deps.now ?? (() => new Date()))(),
      ...(named ? { runId: named } : {}),
      ...(maxCustomers ? { maxCustomers } : {}),
      remainingMs: timeLeftKeeping(context, STOP_RESERVE_MS),
    });
    deps.logger.info(outcome.done ? 'run queued' : 'run queueing continues at the next trigger', { ...outcome });
    return outcome;
  };
}

export const handler = buildOncePerContainer(async () =>
  createQueueEligibleCustomersHandler(wireQueueEligibleCustomers()),
);

export type { QueueEligibleCustomersDeps } from './wiring';
