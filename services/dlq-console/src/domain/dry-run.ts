/**
 * A redrive's dry run: each planned message put to its consumer's checks (consumer-checks.ts) with what the delivery
 * ledger knows (the platforms' latest answers; which events were delivered since), and nothing sent.
 */
import type { DestinationStatus } from '@backbone/marketing-events/contracts';
import {
  deliveredEverywhereItFailed,
  marketingEventIdOf,
  readLetter,
  wouldFailBecause,
  type ReadLetter,
} from './consumer-checks';
import { failedDestinations, type DeadLetter } from './dead-letters';
import type { DeadLetterIndex, DeliveryRecords } from './ports';
import type { RedrivePlan } from './redrive';

export interface DryRunResult {
  plan: RedrivePlan;
  /** Would be taken by their consumer now, as far as can be told without sending. */
  wouldPass: number;
  /** Would fail again, and why (by reason, with a few ids each). */
  wouldFail: { reason: string; count: number; sample: string[] }[];
  /** Delivered since, everywhere they had failed (the delivery ledger): a redrive removes them without a send. */
  alreadyDelivered: { count: number; sample: string[] };
  /** How the platforms these dead letters failed at answered lately (empty where nothing is known). */
  destinations: DestinationStatus[];
}

const SAMPLE = 3;

/** Letters read for their bodies at a time: a plan of 100,000 is never held with its bodies. */
const CHUNK = 500;

/**
 * Without a ledger (`deliveries` unset) a dry run knows only the contracts and the platforms' rules. A plan's letters
 * come without bodies: they are read from the index a chunk at a time.
 */
export function createDryRunner(deliveries: DeliveryRecords | undefined, index: Pick<DeadLetterIndex, 'bodies'>) {
  const withBodies = async (letters: readonly DeadLetter[]): Promise<DeadLetter[]> => {
    const missing = letters.filter((l) => l.body === undefined);
    if (missing.length === 0) return [...letters];
    const byDlq = new Map<string, string[]>();
    for (const l of missing) byDlq.set(l.dlq, [...(byDlq.get(l.dlq) ?? []), l.messageId]);
    const found = new Map<string, string>();
    for (const [dlq, ids] of byDlq) for (const [id, body] of await index.bodies(dlq, ids)) found.set(id, body);
    return letters.map((l) =>
      l.body === undefined && found.has(l.messageId) ? { ...l, body: found.get(l.messageId)! } : l,
    );
  };
  /** Per read dead letter, the platforms the ledger says have its event (marketing events only). */
  const deliveredTo = async (reads: readonly ReadLetter[]): Promise<(ReadonlySet<string> | undefined)[]> => {
    // Only a failure that names a platform can have been made good since.
    const ids = reads.map((read) =>
      failedDestinations(read.letter).length > 0 ? marketingEventIdOf(read) : undefined,
    );
    const wanted = [...new Set(ids.filter((id): id is string => id !== undefined))];
    if (!deliveries || wanted.length === 0) return reads.map(() => undefined);
    const found = await deliveries.delivered(wanted);
    return ids.map((id) => (id === undefined ? undefined : found.get(id)));
  };

  return {
    /** The dead letters the ledger shows delivered everywhere they failed (their DLQ message ids). */
    async alreadyDeliveredOf(letters: readonly DeadLetter[]): Promise<Set<string>> {
      const settled = new Set<string>();
      for (let i = 0; i < letters.length; i += CHUNK) {
        const reads = (await withBodies(letters.slice(i, i + CHUNK))).map(readLetter);
        const delivered = await deliveredTo(reads);
        reads.forEach((read, k) => {
          if (deliveredEverywhereItFailed(read, delivered[k])) settled.add(read.letter.messageId);
        });
      }
      return settled;
    },

    async dryRun(plan: RedrivePlan, now: Date): Promise<DryRunResult> {
      const destinations = [...new Set(plan.selected.flatMap((l) => failedDestinations(l)))];
      const statuses = deliveries ? await deliveries.statuses(destinations) : new Map<string, DestinationStatus>();
      const failing = new Map<string, { count: number; sample: string[] }>();
      const alreadyDelivered = { count: 0, sample: [] as string[] };
      let wouldPass = 0;
      for (let start = 0; start < plan.selected.length; start += CHUNK) {
        const reads = (await withBodies(plan.selected.slice(start, start + CHUNK))).map(readLetter);
        const delivered = await deliveredTo(reads);
        reads.forEach((read, i) => {
          const { messageId } = read.letter;
          if (deliveredEverywhereItFailed(read, delivered[i])) {
            alreadyDelivered.count++;
            if (alreadyDelivered.sample.length < SAMPLE) alreadyDelivered.sample.push(messageId);
            return;
          }
          const problem = wouldFailBecause(read, { now, statuses });
          if (problem === undefined) {
            wouldPass++;
            return;
          }
          const entry = failing.get(problem) ?? { count: 0, sample: [] };
          entry.count++;
          if (entry.sample.length < SAMPLE) entry.sample.push(messageId);
          failing.set(problem, entry);
        });
      }
      const wouldFail = [...failing.entries()]
        .map(([reason, { count, sample }]) => ({ reason, count, sample }))
        .sort((a, b) => b.count - a.count);
      return { plan, wouldPass, wouldFail, alreadyDelivered, destinations: [...statuses.values()] };
    },
  };
}
