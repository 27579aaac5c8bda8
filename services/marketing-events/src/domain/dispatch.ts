import type { MarketingEvent, MarketingEventType } from '@backbone/shared';
import type { Routing } from './platforms';
import {
  mapWithConcurrency,
  planRequests,
  sendWithBisection,
  type Destination,
  type DestinationName,
} from './destination';
import { permanent, retryable, type DeliveryOutcome } from './outcome';

/**
 * Where each event has been delivered: a redelivered message or a retried batch never sends an event
 * again to a platform that already has it (DynamoDB in AWS: one item per event, read once per batch and
 * written once per platform that delivered, each write with every platform known so far).
 */
export interface DeliveryLedger {
  /** For each of these event ids that has been delivered anywhere, the platforms that have it. */
  deliveredTo(eventIds: readonly string[]): Promise<Map<string, ReadonlySet<DestinationName>>>;
  /** Records every platform each event is now delivered to (those it had and the new ones). */
  record(deliveries: ReadonlyMap<string, readonly DestinationName[]>): Promise<void>;
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
  /**
   * Epoch ms after which no request is started (the function's own deadline, less what recording the
   * outcomes takes): what was not sent is retried, and what was sent is recorded before the function ends.
   */
  sendUntil?: number;
  /**
   * Epoch ms until which a failed ledger write is tried again (the function's deadline, less settling the
   * failures): a delivery the ledger does not learn of is sent again, and GA4 cannot tell.
   */
  recordUntil?: number;
  /** Waits between ledger write attempts (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
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
  const fail = (index: number, destination: DestinationName, outcome: DeliveryOutcome): void => {
    failures[index]!.push({ destination, outcome });
  };
  const routedTo = (event: MarketingEvent, destination: Destination): boolean =>
    deps.routing[event.type]?.includes(destination.name) ?? false;
  // An event no configured platform takes would be acknowledged and gone: it is dead-lettered instead, with what
  // to change, so that it can be redriven once a platform takes its type.
  events.forEach((event, index) => {
    if (!deps.destinations.some((destination) => routedTo(event, destination)))
      fail(
        index,
        'routing',
        permanent(
          `no configured platform takes ${event.type} (routed to ${deps.routing[event.type]?.join(', ') || 'none'}; ` +
            `configured: ${deps.destinations.map((d) => d.name).join(', ') || 'none'}); ` +
            "route it to one (DESTINATIONS, or a platform's routes), then redrive",
        ),
      );
  });
  let already: Map<string, ReadonlySet<DestinationName>>;
  try {
    already = await deps.ledger.deliveredTo([...new Set(events.map((e) => e.id))]);
  } catch (error) {
    const outcome = retryable(`delivery ledger unavailable (${String(error)})`);
    events.forEach((event, index) => {
      for (const destination of deps.destinations)
        if (routedTo(event, destination)) fail(index, destination.name, outcome);
    });
    return summarise(failures);
  }
  // What the ledger will know, per event: what it had, plus each platform as soon as its own requests are done.
  // Writes are chained, each with the whole set known so far, so the last one written holds every platform, and a
  // slow platform does not leave the others' deliveries unrecorded when the function is stopped.
  const known = new Map<string, Set<DestinationName>>();
  const unrecorded: { id: string; destination: DestinationName; error: unknown }[] = [];
  let recording: Promise<void> = Promise.resolve();
  const record = (destination: DestinationName, ids: readonly string[]): void => {
    if (ids.length === 0) return;
    for (const id of ids) {
      const set = known.get(id) ?? new Set(already.get(id));
      set.add(destination);
      known.set(id, set);
    }
    const deliveries = new Map(ids.map((id) => [id, [...known.get(id)!]] as const));
    recording = recording.then(() =>
      recordWithRetries(deps, deliveries).catch((error: unknown) => {
        for (const id of ids) unrecorded.push({ id, destination, error });
      }),
    );
  };
  await Promise.all(
    deps.destinations.map(async (destination) => {
      // The same event twice in one batch (published twice) is sent once and shares the outcome.
      const byId = new Map<string, { event: MarketingEvent; indexes: number[] }>();
      events.forEach((event, index) => {
        if (!routedTo(event, destination) || already.get(event.id)?.has(destination.name)) return;
        const entry = byId.get(event.id);
        if (entry) entry.indexes.push(index);
        else byId.set(event.id, { event, indexes: [index] });
      });
      const items: { id: string; type: MarketingEventType; indexes: number[]; payload: unknown }[] = [];
      for (const [id, { event, indexes }] of byId) {
        const prepared = destination.prepare(event, now);
        if (prepared.ok) items.push({ id, type: event.type, indexes, payload: prepared.payload });
        else {
          for (const index of indexes) fail(index, destination.name, permanent(prepared.reason));
          deps.observer?.onResult(destination.name, event.type, permanent(prepared.reason), 0);
        }
      }
      const delivered: string[] = [];
      const requests = planRequests(destination, items, (item) => item.payload);
      await mapWithConcurrency(requests, destination.concurrency, async (request) => {
        const started = performance.now();
        const outcomes =
          deps.sendUntil !== undefined && Date.now() > deps.sendUntil
            ? request.map(() => retryable(`${destination.name}: not sent before the function's deadline`))
            : await sendWithBisection(
                destination,
                request.map((item) => item.payload),
              );
        const latencyMs = performance.now() - started;
        outcomes.forEach((outcome, i) => {
          const item = request[i]!;
          deps.observer?.onResult(destination.name, item.type, outcome, latencyMs);
          if (outcome.status === 'delivered') delivered.push(item.id);
          else for (const index of item.indexes) fail(index, destination.name, outcome);
        });
      });
      record(destination.name, delivered);
    }),
  );
  await recording;
  // Delivered but not recorded: a retry sends again (Meta deduplicates on the stable event id; GA4 does not, see
  // the README). Retrying is still right: the ledger must learn what was delivered.
  for (const { id, destination, error } of unrecorded) {
    const outcome = retryable(`${destination}: delivered, but the ledger write failed (${String(error)})`);
    events.forEach((event, index) => {
      if (event.id === id) fail(index, destination, outcome);
    });
  }
  return summarise(failures);
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The ledger write, tried again after 100 ms, doubling up to 1 s, while an attempt can still start before
 * recordUntil: a throttled table or an endpoint gone for a moment costs a short wait, not a repeat delivery.
 */
async function recordWithRetries(
  deps: DispatchDeps,
  deliveries: ReadonlyMap<string, readonly DestinationName[]>,
): Promise<void> {
  const sleep = deps.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.ledger.record(deliveries);
      return;
    } catch (error) {
      const wait = Math.min(1_000, 100 * 2 ** (attempt - 1));
      if (deps.recordUntil === undefined || Date.now() + wait >= deps.recordUntil) throw error;
      await sleep(wait);
    }
  }
}

const DELIVERED: EventOutcome = { status: 'delivered' };

function summarise(failures: readonly { destination: DestinationName; outcome: DeliveryOutcome }[][]): EventOutcome[] {
  return failures.map((list): EventOutcome => {
    if (list.length === 0) return DELIVERED;
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
