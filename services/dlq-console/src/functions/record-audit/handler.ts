import { buildOncePerContainer, createContractReader, createSqsConsumer, type SqsBatchHandler } from '@backbone/shared';
import { auditEntryRecordedV1 } from '../../../contracts';
import { wireRecordAudit, type RecordAuditDeps } from './wiring';

/**
 * The audit trail's only writer: each entry the console's faces send to the audit queue is recorded under a key no
 * entry has yet (its envelope's id), never over one; the same entry delivered twice is recorded once. An entry that
 * is not an AuditEntryRecorded goes to the queue's DLQ with the reason.
 */
export function createRecordAuditHandler(deps: RecordAuditDeps): SqsBatchHandler {
  return createSqsConsumer({
    reader: createContractReader([auditEntryRecordedV1]),
    maxReceiveCount: deps.maxReceiveCount,
    deadLetters: deps.deadLetters,
    backoff: deps.backoff,
    logger: deps.logger,
    metrics: deps.metrics,
    handle: async (envelope) => {
      await deps.record(envelope.data, envelope.id);
    },
  });
}

export const handler = buildOncePerContainer(async () => createRecordAuditHandler(wireRecordAudit()));

export type { RecordAuditDeps } from './wiring';
