import {
  buildOncePerContainer,
  createContractReader,
  createSqsBatchConsumer,
  PermanentError,
  timeLeftKeeping,
  type Logger,
  type SqsBatchHandler,
} from '@backbone/shared';
import { customerRulesV1, type CustomerRules } from '../../../contracts';

import { invokeEngine } from '../../domain/invoke-engine';
import { wireInvokeEngine, type InvokeEngineDeps, type RunCounts } from './wiring';

/** What settling a batch's failures (DLQ sends, visibility changes) is left of the function's time. */
const SETTLE_RESERVE_MS = 5_000;

/**
 * The customer-rules FIFO queue -> the rules engine: the batch's customers in one request, retried with backoff up
 * to five attempts within the function's time; an unknown customer, or an engine that never answered, to the DLQ
 * with the reason; a record of a superseded run dropped (a newer run has the last word).
 */
export function createInvokeEngineHandler(deps: InvokeEngineDeps): SqsBatchHandler {
  const { logger } = deps;
  return createSqsBatchConsumer({
    reader: createContractReader([customerRulesV1]),
    fifo: true,
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger,
    metrics: deps.metrics,
    async handleBatch(items, context) {
      const records = items.map((item) => item.envelope.data);
      const evaluations = new Map<string, number>();
      const outcomes = await invokeEngine(records, {
        engine: deps.engine,
        ...(deps.policy ? { policy: deps.policy } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        remainingMs: timeLeftKeeping(context, SETTLE_RESERVE_MS),
        onAnswer(answer, request) {
          if (answer.kind === 'superseded')
            logger.info('run superseded: records dropped', { runId: request.runId, records: request.customers.length });
          if (answer.kind !== 'scored') return;
          evaluations.set(request.runId, (evaluations.get(request.runId) ?? 0) + answer.evaluated);
          logger.info('scored', {
            runId: request.runId,
            customers: request.customers.length,
            evaluated: answer.evaluated,
            written: answer.written,
            itemErrors: answer.errors.length,
          });
        },
      });
      if (deps.countRun) await countRuns(deps.countRun, records, outcomes, evaluations, logger);
      return outcomes;
    },
  });
}

/** Per run: the records done, those failed for good (to the DLQ), and the evaluations the engine made. */
async function countRuns(
  countRun: NonNullable<InvokeEngineDeps['countRun']>,
  records: readonly CustomerRules[],
  outcomes: readonly (Error | undefined)[],
  evaluations: ReadonlyMap<string, number>,
  logger: Logger,
): Promise<void> {
  const counts = new Map<string, RunCounts>();
  records.forEach((record, i) => {
    const count = counts.get(record.runId) ?? { customersScored: 0, customersFailed: 0, evaluations: 0 };
    if (outcomes[i] === undefined) count.customersScored++;
    else if (outcomes[i] instanceof PermanentError) count.customersFailed++;
    counts.set(record.runId, count);
  });
  for (const [runId, count] of counts)
    try {
      await countRun(runId, { ...count, evaluations: evaluations.get(runId) ?? 0 });
    } catch (error) {
      logger.warn('could not count the batch on its run', {
        runId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
}

export const handler = buildOncePerContainer(async () => createInvokeEngineHandler(wireInvokeEngine()));

export type { InvokeEngineDeps } from './wiring';
