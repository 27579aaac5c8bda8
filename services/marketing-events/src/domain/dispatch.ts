import { retryUntil, type DestinationFailure } from '@backbone/shared';
import {
  type DeliveryLedger,
  type LedgerChange,
  type LedgerEntry,
  type MarketingEvent,
  type MarketingEventType,
} from '../../contracts';
import type { Routing } from './platforms';
import {
  mapWithConcurrency,
  planRequests,
  sendWithBisection,
  type Destination,
  type DestinationName,
} from './destination';
import type { MatchKey } from './match-keys';
import { permanent, retryable, unknown, type DeliveryOutcome } from './outcome';

// The ledger's shape is one of this service's contracts: the dead-letter console reads it.
export type { DeliveryLedger, LedgerChange, LedgerEntry } from '../../contracts';

export interface DispatchObserver {
  /** One platform's result for one event, with the time its request took. */
  onResult(
    destination: DestinationName,
    eventType: MarketingEventType,
    outcome: DeliveryOutcome,
    latencyMs: number,
  ): void;
  /** An event delivered, with the identifiers the platform can match it to a person with. */
  onMatchKeys?(destination: DestinationName, eventType: MarketingEventType, keys: readonly MatchKey[]): void;
  /** An event delivered to a platform whose ledger entry could not be written (a later copy may repeat it). */
  onUnrecorded?(destination: DestinationName, eventType: MarketingEventType): void;
  /** A request that went to a platform, and what became of each of its events (not what was decided unsent). */
  onAnswered?(destination: DestinationName, outcomes: readonly DeliveryOutcome[]): void;
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
   * failures): what the ledger does not learn of may be sent again by a later copy of the event.
   */
  recordUntil?: number;
  /** Waits between ledger write attempts (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** What an operator asked of one redriven batch. */
export interface BatchRequests {
  /**
   * Per event id, the at-most-once platforms to send to again although an earlier send may have arrived (a redrive
   * of an event dead-lettered with an unknown outcome, once someone checked the platform does not have it).
   */
  resend?: ReadonlyMap<string, ReadonlySet<DestinationName>>;
}

/**
 * An event's fate across its destinations: delivered everywhere, to try again, or to the DLQ: never deliverable
 * somewhere (permanent), or, with nothing else wrong, its outcome unknown at an at-most-once platform (unknown).
 */
export type EventOutcome =
  | { status: 'delivered' }
  | { status: 'retryable' | 'permanent' | 'unknown'; reason: string; failures: DestinationFailure[] };

/**
 * Delivers a batch of events to every platform their type is routed to. Platforms are served in
 * parallel, each at its own pace, so a slow or failing one holds back only its own deliveries;
 * what one platform already has is recorded and never sent to it again.
 *
 * Per event: delivered when every platform has it; retryable when any platform may take it later
 * (those that have it are skipped next time); permanent when some platform never will, or when an at-most-once
 * platform may or may not have it (see DeliverySemantics).
 */
export async function dispatchEvents(
  events: readonly MarketingEvent[],
  deps: DispatchDeps,
  batch: BatchRequests = {},
): Promise<EventOutcome[]> {
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
        ROUTING,
        permanent(
          `no configured platform takes ${event.type} (routed to ${deps.routing[event.type]?.join(', ') || 'none'}; ` +
            `configured: ${deps.destinations.map((d) => d.name).join(', ') || 'none'}); ` +
            "route it to one (DESTINATIONS, or a platform's routes), then redrive",
          'refused-before-sending',
        ),
      );
  });
  let entries: Map<string, LedgerEntry>;
  try {
    const ids = [...new Set(events.map((e) => e.id))];
    // Tried again while requests may still start: an endpoint gone for a moment costs a wait, not a redelivery.
    entries = await retryUntil(() => deps.ledger.read(ids), { until: deps.sendUntil, sleep: deps.sleep });
  } catch (error) {
    const outcome = retryable(`delivery ledger unavailable (${String(error)})`, 'ledger-unavailable');
    events.forEach((event, index) => {
      for (const destination of deps.destinations)
        if (routedTo(event, destination)) fail(index, destination.name, outcome);
    });
    return summarise(failures);
  }
  const ledger = ledgerWriter(deps);
  await Promise.all(
    deps.destinations.map(async (destination) => {
      const name = destination.name;
      const atMostOnce = destination.delivery === 'at-most-once';
      // The same event twice in one batch (published twice) is sent once and shares the outcome.
      const byId = new Map<string, { event: MarketingEvent; indexes: number[] }>();
      events.forEach((event, index) => {
        const entry = entries.get(event.id);
        if (!routedTo(event, destination) || entry?.delivered.has(name)) return;
        if (atMostOnce && entry?.sending.has(name) && !batch.resend?.get(event.id)?.has(name)) {
          const outcome = unknown(
            `${name}: outcome unknown: an earlier send was started but its result was never written down (the ` +
              `function stopped, or the ledger could not be written); ${name} cannot deduplicate, so it is not sent ` +
              `again. ${resendHint(name)}`,
          );
          fail(index, name, outcome);
          deps.observer?.onResult(name, event.type, outcome, 0);
          return;
        }
        const same = byId.get(event.id);
        if (same) same.indexes.push(index);
        else byId.set(event.id, { event, indexes: [index] });
      });
      const items: { id: string; type: MarketingEventType; indexes: number[]; payload: unknown }[] = [];
      for (const [id, { event, indexes }] of byId) {
        const prepared = destination.prepare(event, now);
        if (prepared.ok) items.push({ id, type: event.type, indexes, payload: prepared.payload });
        else {
          const refused = permanent(prepared.reason, 'refused-before-sending');
          for (const index of indexes) fail(index, name, refused);
          deps.observer?.onResult(name, event.type, refused, 0);
        }
      }
      const requests = planRequests(destination, items, (item) => item.payload);
      // At-most-once: the ledger notes the sends of a window of `concurrency` requests before any of them starts,
      // so that a stopped function leaves at most two windows in doubt, for one write per window.
      const notes: Promise<WriteFailure | undefined>[] = [];
      const windowOf = (index: number): number => Math.floor(index / destination.concurrency);
      const noteWindow = (window: number): Promise<WriteFailure | undefined> =>
        (notes[window] ??= ledger.write(
          requests
            .slice(window * destination.concurrency, (window + 1) * destination.concurrency)
            .flat()
            .map((item) => item.id),
          () => ({ sending: [name] }),
        ));
      const delivered = new Set<string>();
      // Noted, and now known not to have arrived: the note is withdrawn, so that a retry sends again.
      const withdrawn: string[] = [];
      await mapWithConcurrency(requests, destination.concurrency, async (request, index) => {
        const started = performance.now();
        let outcomes: DeliveryOutcome[];
        if (deps.sendUntil !== undefined && Date.now() > deps.sendUntil)
          outcomes = request.map(() => retryable(`${name}: not sent before the function's deadline`, 'deadline'));
        else {
          const noted = atMostOnce ? await noteWindow(windowOf(index)) : undefined;
          outcomes = noted
            ? request.map(() =>
                retryable(
                  `${name}: not sent: the ledger could not note the send first (${String(noted.error)})`,
                  'ledger-unavailable',
                ),
              )
            : await sendWithBisection(
                destination,
                request.map((item) => item.payload),
              );
          if (!noted) deps.observer?.onAnswered?.(name, outcomes);
        }
        const latencyMs = performance.now() - started;
        const inDoubtIfLost = atMostOnce && notes[windowOf(index)] !== undefined;
        outcomes.forEach((sent, i) => {
          const item = request[i]!;
          const outcome =
            inDoubtIfLost && sent.status === 'retryable' && sent.maybeDelivered
              ? unknown(
                  `${sent.reason}; ${name} may have it and cannot deduplicate, so it is not sent again. ` +
                    resendHint(name),
                )
              : sent;
          deps.observer?.onResult(name, item.type, outcome, latencyMs);
          if (outcome.status === 'delivered') {
            delivered.add(item.id);
            if (destination.matchKeys)
              deps.observer?.onMatchKeys?.(name, item.type, destination.matchKeys(item.payload));
          } else {
            if (inDoubtIfLost && outcome.status !== 'unknown') withdrawn.push(item.id);
            for (const index of item.indexes) fail(index, name, outcome);
          }
        });
      });
      // Each platform is written down as soon as its own requests are done: a slow one holds back no other.
      const unrecorded = await ledger.write([...delivered, ...withdrawn], (id) =>
        delivered.has(id) ? { delivered: [name], settled: [name] } : { settled: [name] },
      );
      // Delivered all the same: sending it again now would not tell the ledger anything, and the platform has it.
      // A later copy of the event is sent again where the platform deduplicates, and reported where it cannot.
      if (unrecorded)
        for (const item of items) if (delivered.has(item.id)) deps.observer?.onUnrecorded?.(name, item.type);
    }),
  );
  return summarise(failures);
}

/** What to do about an event whose outcome at an at-most-once platform is unknown. */
const resendHint = (name: DestinationName): string =>
  `If ${name} does not have the event, redrive it asking to resend to ${name}`;

interface WriteFailure {
  error: unknown;
}

/**
 * The ledger's marks for a batch, written in order (a send's note before its outcome), each a set operation that no
 * other dispatcher's write of the same event undoes.
 */
function ledgerWriter(deps: DispatchDeps) {
  let chain: Promise<unknown> = Promise.resolve();
  return {
    write(ids: readonly string[], change: (id: string) => LedgerChange): Promise<WriteFailure | undefined> {
      if (ids.length === 0) return Promise.resolve(undefined);
      const changes = new Map(ids.map((id) => [id, change(id)] as const));
      const written = chain.then(() =>
        retryUntil(() => deps.ledger.write(changes), { until: deps.recordUntil, sleep: deps.sleep }).then(
          () => undefined,
          (error: unknown): WriteFailure => ({ error }),
        ),
      );
      chain = written;
      return written;
    },
  };
}

const DELIVERED: EventOutcome = { status: 'delivered' };

/** Where an event no configured platform takes fails: the routing itself, no platform. */
const ROUTING = 'routing';

function summarise(failures: readonly { destination: DestinationName; outcome: DeliveryOutcome }[][]): EventOutcome[] {
  return failures.map((list): EventOutcome => {
    if (list.length === 0) return DELIVERED;
    const retry = list.filter((f) => f.outcome.status === 'retryable');
    const chosen = retry.length > 0 ? retry : list;
    // Platforms that failed alike (the ledger unreadable) give one reason, not one each.
    const reason = [...new Set(chosen.map((f) => (f.outcome as { reason: string }).reason))].join('; ');
    return {
      status:
        retry.length > 0 ? 'retryable' : list.every((f) => f.outcome.status === 'unknown') ? 'unknown' : 'permanent',
      reason,
      // The platforms' failures as data; an event no platform takes failed at none of them.
      failures: chosen
        .filter((f) => f.destination !== ROUTING)
        .map((f) => {
          const outcome = f.outcome as Exclude<DeliveryOutcome, { status: 'delivered' }>;
          return { destination: f.destination, code: outcome.code, message: outcome.reason };
        }),
    };
  });
}
