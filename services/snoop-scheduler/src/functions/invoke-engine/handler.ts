import {
  buildOncePerContainer,
  createContractReader,
  createSqsBatchConsumer,
  customerRulesV1,
  type DeadLetterSink,
  type Logger,
  type Metrics,
  type RetryBackoff,
  type SqsBatchHandler,
} from '@backbone/shared';
import { invokeEngine, type EngineClient, type InvokePolicy } from '../../domain/invoke-engine';
import { wireInvokeEngine } from './wiring';

export interface InvokeEngineDeps {
  engine: EngineClient;
  deadLetters: DeadLetterSink;
  /** Must equal the queue's redrive maxReceiveCount (see the shared consumer). */
  maxReceiveCount: number;
  logger: Logger;
  backoff?: RetryBackoff;
  metrics?: Metrics;
  policy?: InvokePolicy;
  sleep?: (ms: number) => Promise<void>;
}

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
    handleBatch: (items, context) =>
      invokeEngine(
        items.map((item) => item.envelope.data),
        {
          engine: deps.engine,
          ...(deps.policy ? { policy: deps.policy } : {}),
          ...(deps.sleep ? { sleep: deps.sleep } : {}),
          remainingMs: () => context.getRemainingTimeInMillis() - SETTLE_RESERVE_MS,
          onAnswer(answer, request) {
            if (answer.kind === 'superseded')
              logger.info('run superseded: records dropped', {
                runId: request.runId,
                records: request.customers.length,
              });
            if (answer.kind === 'scored')
              logger.info('scored', {
                runId: request.runId,
                customers: request.customers.length,
                evaluated: answer.evaluated,
                written: answer.written,
                itemErrors: answer.errors.length,
              });
          },
        },
      ),
  });
}

export const handler = buildOncePerContainer(async () => createInvokeEngineHandler(wireInvokeEngine()));
