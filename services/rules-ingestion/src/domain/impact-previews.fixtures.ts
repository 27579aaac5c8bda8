import type { ImpactPreviewRequested } from '@backbone/snoop-scheduler/contracts';
import type { ImpactPreviewRecord, ImpactPreviewStore } from './impact-previews';

/** Impact previews in memory, with the PostgreSQL store's contract (answered once), and the requests sent: for tests. */
export function memoryImpactPreviews() {
  const records = new Map<string, ImpactPreviewRecord>();
  const sent: ImpactPreviewRequested[] = [];
  const store: ImpactPreviewStore & { records: typeof records } = {
    records,
    async add(record) {
      records.set(record.previewId, { ...record, requestedAt: '2026-12-07T10:00:00.000Z', state: 'pending' });
    },
    get: async (previewId) => records.get(previewId),
    async answer(answer) {
      const record = records.get(answer.previewId);
      if (!record) return 'unknown';
      if (record.state !== 'pending') return 'answered';
      records.set(answer.previewId, {
        ...record,
        state: answer.outcome.status,
        computedAt: answer.computedAt,
        ...(answer.outcome.status === 'computed'
          ? { report: answer.outcome.report }
          : { reason: answer.outcome.reason }),
      });
      return 'recorded';
    },
    async fail(previewId, reason) {
      const record = records.get(previewId);
      if (record?.state === 'pending') records.set(previewId, { ...record, state: 'failed', reason });
    },
  };
  return { store, sent, queue: async (request: ImpactPreviewRequested) => void sent.push(request) };
}
