import { MetricUnit, type Metrics } from '@backbone/shared';
import type { DispatchObserver } from '../domain/dispatch';
import type { MatchKey } from '../domain/match-keys';
import type { DeliveryOutcome } from '../domain/outcome';

/**
 * Per destination and event type: Delivered, Retried, FailedPermanently, OutcomeUnknown (an at-most-once platform
 * that may or may not have the event: dead-lettered, not sent again), DeliveredUnrecorded (delivered, but the ledger
 * write failed), RefusedOurCredentials (retried events the platform refused for our token, rights or address: the
 * figure to alarm on, as no event of it is at fault), DeliveryLatency (the slowest request) and MatchKey.<key> (events delivered with each identifier:
 * divided by Delivered, the match-key coverage an advertiser watches), summed over a batch and written once per batch: one EMF line per combination that carries all
 * its figures. `metrics` must be this observer's own instance, since each line is published on its own.
 */
export function metricsObserver(metrics: Metrics): DispatchObserver & { flush(): void } {
  const names = {
    delivered: 'Delivered',
    retryable: 'Retried',
    permanent: 'FailedPermanently',
    unknown: 'OutcomeUnknown',
    unrecorded: 'DeliveredUnrecorded',
    refusedUs: 'RefusedOurCredentials',
  } as const;
  type Counted = keyof typeof names;
  const totals = new Map<
    string,
    {
      destination: string;
      eventType: string;
      counts: Record<Counted, number>;
      latency: number;
      matchKeys: Map<MatchKey, number>;
    }
  >();
  const entryFor = (destination: string, eventType: string) => {
    const key = `${destination}|${eventType}`;
    let entry = totals.get(key);
    if (!entry) {
      const counts = { delivered: 0, retryable: 0, permanent: 0, unknown: 0, unrecorded: 0, refusedUs: 0 };
      entry = { destination, eventType, counts, latency: 0, matchKeys: new Map<MatchKey, number>() };
      totals.set(key, entry);
    }
    return entry;
  };
  return {
    onResult(destination, eventType, outcome: DeliveryOutcome, latencyMs) {
      const entry = entryFor(destination, eventType);
      entry.counts[outcome.status]++;
      if (outcome.status === 'retryable' && outcome.refusedUs) entry.counts.refusedUs++;
      if (outcome.status === 'delivered') entry.latency = Math.max(entry.latency, latencyMs);
    },
    onUnrecorded(destination, eventType) {
      entryFor(destination, eventType).counts.unrecorded++;
    },
    onMatchKeys(destination, eventType, keys) {
      const { matchKeys } = entryFor(destination, eventType);
      for (const key of keys) matchKeys.set(key, (matchKeys.get(key) ?? 0) + 1);
    },
    flush() {
      for (const { destination, eventType, counts, latency, matchKeys } of totals.values()) {
        metrics.addDimension('destination', destination);
        metrics.addDimension('eventType', eventType);
        for (const status of Object.keys(names) as Counted[])
          if (counts[status] > 0) metrics.addMetric(names[status], MetricUnit.Count, counts[status]);
        if (counts.delivered > 0) metrics.addMetric('DeliveryLatency', MetricUnit.Milliseconds, latency);
        for (const [key, n] of matchKeys) metrics.addMetric(`MatchKey.${key}`, MetricUnit.Count, n);
        metrics.publishStoredMetrics();
      }
      totals.clear();
    },
  };
}
