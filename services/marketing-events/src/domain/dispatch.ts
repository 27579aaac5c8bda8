import type { MarketingEvent, MarketingEventType } from '@backbone/shared';
import {
  mapWithConcurrency,
  planRequests,
  sendWithBisection,
  type Destination,
  type DestinationName,
} from './destination';
import { permanent, retryable, type DeliveryOutcome } from './outcome';

/** Which platforms each event type goes to. */
export type Routing = Readonly<Record<MarketingEventType, readonly DestinationName[]>>;

export const DEFAULT_ROUTING: Routing = {
  RegistrationCompleted: ['meta', 'ga4', 'webhook'],
  LoanApplicationSubmitted: ['meta', 'ga4', 'webhook'],
  LoanApproved: ['meta', 'ga4', 'webhook'],
  LoanDisbursed: ['meta', 'ga4', 'webhook'],
  FirstRepaymentMade: ['ga4', 'webhook'],
};

/**
 * What has been delivered where, keyed by (destination, event id): a redelivered message or a retried
 * batch never sends an event twice to a platform that already has it (DynamoDB in AWS).
 */
export interface DeliveryLedger {
  /** Of these event ids, the ones already delivered to the destination. */
  deliveredOf(destination: DestinationName, eventIds: readonly string[]): Promise<Set<string>>;
  record(destination: DestinationName, eventIds: readonly string[]): Promise<void>;
}

export interface DispatchObserver {
  /** One platform's result for one event, with the time its request took. */
  onResult(
    destination: DestinationName,
    eventType: MarketingEventType,
    outcome: DeliveryOutcome,
    latencyMs: number,
  ): void;
}

export interface DispatchDeps {
  destinations: readonly Destination[];
  routing: Routing;
  ledger: DeliveryLedger;
  now: () => Date;
  observer?: DispatchObserver;
}

/** An event's fate across its destinations: delivered everywhere, to try again, or never deliverable. */
export type EventOutcome =
  | { status: 'delivered' }
  | { status: 'retryable'; reason: string; destinations: DestinationName[] }
  | { status: 'permanent'; reason: string; destinations: DestinationName[] };

/**
 * Delivers a batch of events to every platform their type is routed to. Platforms are served in
 * parallel, each at its own pace, so a slow or failing one holds back only its own deliveries;
 * what one platform already has is recorded and never sent to it again.
 *
 * Per event: delivered when every platform has it; retryable when any platform may take it later
 * (those that have it are skipped next time); permanent when some platform never will.
 */
export async function dispatchEvents(events: readonly MarketingEvent[], deps: DispatchDeps): Promise<EventOutcome[]> {
  const now = deps.now();
  const failures = events.map(() => [] as { destination: DestinationName; outcome: DeliveryOutcome }[]);
  await Promise.all(
    deps.destinations.map(async (destination) => {
      const routed = events.flatMap((event, index) =>
        deps.routing[event.type]?.includes(destination.name) ? [{ event, index }] : [],
      );
      if (routed.length === 0) return;
      const fail = (index: number, outcome: DeliveryOutcome): void => {
        failures[index]!.push({ destination: destination.name, outcome });
      };
      let already: Set<string>;
      try {
        already = await deps.ledger.deliveredOf(destination.name, [...new Set(routed.map((r) => r.event.id))]);
      } catch (error) {
        for (const r of routed)
          fail(r.index, retryable(`${destination.name}: delivery ledger unavailable (${String(error)})`));
        return;
      }
      // The same event twice in one batch (published twice) is sent once and shares the outcome.
      const byId = new Map<string, { event: MarketingEvent; indexes: number[] }>();
      for (const r of routed) {
        if (already.has(r.event.id)) continue;
        const entry = byId.get(r.event.id);
        if (entry) entry.indexes.push(r.index);
        else byId.set(r.event.id, { event: r.event, indexes: [r.index] });
      }
      const items: { id: string; type: MarketingEventType; indexes: number[]; payload: unknown }[] = [];
      for (const [id, { event, indexes }] of byId) {
        const prepared = destination.prepare(event, now);
        if (prepared.ok) items.push({ id, type: event.type, indexes, payload: prepared.payload });
        else {
          for (const index of indexes) fail(index, permanent(prepared.reason));
          deps.observer?.onResult(destination.name, event.type, permanent(prepared.reason), 0);
        }
      }
      const payloadOwner = new Map(items.map((item) => [item.payload, item]));
      const requests = planRequests(
        destination,
        items.map((item) => item.payload),
      );
      await mapWithConcurrency(requests, destination.concurrency, async (payloads) => {
        const started = performance.now();
        const outcomes = await sendWithBisection(destination, payloads);
        const latencyMs = performance.now() - started;
        const deliveredIds: string[] = [];
        outcomes.forEach((outcome, i) => {
          const item = payloadOwner.get(payloads[i])!;
          deps.observer?.onResult(destination.name, item.type, outcome, latencyMs);
          if (outcome.status === 'delivered') deliveredIds.push(item.id);
          else for (const index of item.indexes) fail(index, outcome);
        });
        if (deliveredIds.length === 0) return;
        try {
          await deps.ledger.record(destination.name, deliveredIds);
        } catch (error) {
          // Delivered but not recorded: a retry would send again, and the platform's dedup on the
          // stable event id absorbs it. Retrying is still right: the other outcomes must stand.
          for (const id of deliveredIds)
            for (const index of byId.get(id)!.indexes)
              fail(index, retryable(`${destination.name}: delivered, but the ledger write failed (${String(error)})`));
        }
      });
    }),
  );
  return failures.map((list): EventOutcome => {
    if (list.length === 0) return { status: 'delivered' };
    const retry = list.filter((f) => f.outcome.status === 'retryable');
    const chosen = retry.length > 0 ? retry : list;
    const reason = chosen.map((f) => (f.outcome as { reason: string }).reason).join('; ');
    return {
      status: retry.length > 0 ? 'retryable' : 'permanent',
      reason,
      destinations: chosen.map((f) => f.destination),
    };
  });
}
