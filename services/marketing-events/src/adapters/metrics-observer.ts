import { MetricUnit, type Metrics } from '@backbone/shared';
import type { DispatchObserver } from '../domain/dispatch';
import type { DeliveryOutcome } from '../domain/outcome';

/**
 * Per destination and event type: Delivered, Retried, FailedPermanently and DeliveryLatency (the slowest
 * request), summed over a batch and written once per batch: one EMF line per combination that carries all
 * its figures. `metrics` must be this observer's own instance, since each line is published on its own.
 */
export function metricsObserver(metrics: Metrics): DispatchObserver & { flush(): void } {
  const totals = new Map<
    string,
    { destination: string; eventType: string; counts: Record<DeliveryOutcome['status'], number>; latency: number }
  >();
  const names = { delivered: 'Delivered', retryable: 'Retried', permanent: 'FailedPermanently' } as const;
  return {
    onResult(destination, eventType, outcome, latencyMs) {
      const key = `${destination}|${eventType}`;
      let entry = totals.get(key);
      if (!entry) {
        entry = { destination, eventType, counts: { delivered: 0, retryable: 0, permanent: 0 }, latency: 0 };
        totals.set(key, entry);
      }
      entry.counts[outcome.status]++;
      if (outcome.status === 'delivered') entry.latency = Math.max(entry.latency, latencyMs);
    },
    flush() {
      for (const { destination, eventType, counts, latency } of totals.values()) {
        metrics.addDimension('destination', destination);
        metrics.addDimension('eventType', eventType);
        for (const status of Object.keys(names) as (keyof typeof names)[])
          if (counts[status] > 0) metrics.addMetric(names[status], MetricUnit.Count, counts[status]);
        if (counts.delivered > 0) metrics.addMetric('DeliveryLatency', MetricUnit.Milliseconds, latency);
        metrics.publishStoredMetrics();
      }
      totals.clear();
    },
  };
}
