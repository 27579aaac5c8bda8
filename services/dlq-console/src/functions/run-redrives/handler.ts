import {
  buildOncePerContainer,
  createContractReader,
  createSqsConsumer,
  MetricUnit,
  type SqsBatchHandler,
} from '@backbone/shared';
import { redriveRequestedV1, redriveRequestedV2 } from '../../../contracts';
import { wireRunRedrives, type RunRedrivesDeps } from './wiring';

/**
 * Runs the redrives people asked for through the web API, one at a time per invocation, recording progress for the
 * page. A job names its redrive's record; what runs, and with whose rights, is the record's (console-redrives.ts). A redrive that fails on the way (DynamoDB, SQS) comes back and continues under the same id: its lock is its
 * own, and what it already moved is no longer in the DLQ.
 */
export function createRunRedrivesHandler(deps: RunRedrivesDeps): SqsBatchHandler {
  return createSqsConsumer({
    // Version 1 jobs (sent before version 2) still run: only their redrive id is read.
    reader: createContractReader([redriveRequestedV1, redriveRequestedV2]),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: async (envelope) => {
      const { redriveId, dlq } = envelope.data;
      const record = await deps.console.runRequestedRedrive({ redriveId, dlq });
      deps.logger.info('redrive ran', {
        redriveId: record.redriveId,
        dlq: record.dlq,
        state: record.state,
        sent: record.progress?.sent ?? 0,
      });
      // What the RedriveFailures alarm watches: a redrive that failed, and messages a redrive sent back that failed
      // again. Published with the batch's other metrics, after it.
      deps.metrics?.addMetric('RedrivesFailed', MetricUnit.Count, record.state === 'failed' ? 1 : 0);
      deps.metrics?.addMetric('RedriveMessagesFailedAgain', MetricUnit.Count, record.progress?.failedAgain ?? 0);
    },
  });
}

export const handler = buildOncePerContainer(async () => createRunRedrivesHandler(wireRunRedrives()));

export type { RunRedrivesDeps } from './wiring';
