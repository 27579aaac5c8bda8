import type { DeliveryLedger, LedgerEntry } from '../../contracts';

/** The delivery ledger in memory: for unit tests and the in-process benchmark (DynamoDB in AWS). */
export function createMemoryDeliveryLedger(): DeliveryLedger & { writes: number } {
  const entries = new Map<string, LedgerEntry>();
  const ledger = {
    writes: 0,
    async read(eventIds: readonly string[]) {
      const found = new Map<string, LedgerEntry>();
      for (const id of eventIds) {
        const entry = entries.get(id);
        if (entry) found.set(id, entry);
      }
      return found;
    },
    async write(written: ReadonlyMap<string, LedgerEntry>) {
      ledger.writes++;
      for (const [id, entry] of written)
        entries.set(id, { delivered: new Set(entry.delivered), sending: new Set(entry.sending) });
    },
  };
  return ledger;
}
