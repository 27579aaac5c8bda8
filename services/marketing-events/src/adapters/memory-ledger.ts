import type { DestinationName } from '../domain/destination';
import type { DeliveryLedger } from '../domain/dispatch';

/** The delivery ledger in memory: for unit tests and the in-process benchmark (DynamoDB in AWS). */
export function createMemoryDeliveryLedger(): DeliveryLedger & { writes: number } {
  const delivered = new Map<string, ReadonlySet<DestinationName>>();
  const ledger = {
    writes: 0,
    async deliveredTo(eventIds: readonly string[]) {
      const found = new Map<string, ReadonlySet<DestinationName>>();
      for (const id of eventIds) {
        const destinations = delivered.get(id);
        if (destinations) found.set(id, destinations);
      }
      return found;
    },
    async record(deliveries: ReadonlyMap<string, readonly DestinationName[]>) {
      ledger.writes++;
      for (const [id, destinations] of deliveries) delivered.set(id, new Set(destinations));
    },
  };
  return ledger;
}
