import { ledgerChangeParts, type DeliveryLedger, type LedgerChange, type LedgerEntry } from '../../contracts';

/** The delivery ledger in memory: for unit tests and the in-process benchmark (DynamoDB in AWS). */
export function createMemoryDeliveryLedger(): DeliveryLedger & { writes: number } {
  const entries = new Map<string, { delivered: Set<string>; sending: Set<string> }>();
  const ledger = {
    writes: 0,
    async read(eventIds: readonly string[]) {
      const found = new Map<string, LedgerEntry>();
      for (const id of eventIds) {
        const entry = entries.get(id);
        // Copies: what a reader holds does not change under it, as a DynamoDB read's answer does not.
        if (entry) found.set(id, { delivered: new Set(entry.delivered), sending: new Set(entry.sending) });
      }
      return found;
    },
    async write(changes: ReadonlyMap<string, LedgerChange>) {
      ledger.writes++;
      for (const [id, change] of changes) {
        const { delivered, sending, settled } = ledgerChangeParts(id, change);
        let entry = entries.get(id);
        if (!entry) entries.set(id, (entry = { delivered: new Set(), sending: new Set() }));
        for (const name of delivered) entry.delivered.add(name);
        for (const name of sending) entry.sending.add(name);
        for (const name of settled) entry.sending.delete(name);
      }
    },
  };
  return ledger;
}
