import { buildOncePerContainer, MetricUnit } from '@backbone/shared';
import { nightlyRunId, nightlyRunVerdict } from '../../domain/nightly-run';
import { wireCheckNightlyRun, type CheckNightlyRunDeps } from './wiring';

/**
 * Once a night, after its window (06:30 UTC): is tonight's run complete? Says so as a metric (NightlyRunIncomplete, 1
 * or 0), which the NightlyRunIncomplete alarm watches, and in the log, with what is missing.
 */
export function createCheckNightlyRunHandler(deps: CheckNightlyRunDeps) {
  const now = deps.now ?? (() => new Date());
  return async (): Promise<ReturnType<typeof nightlyRunVerdict>> => {
    const runId = nightlyRunId(now());
    const verdict = nightlyRunVerdict(await deps.readRun(runId), runId);
    deps.metrics.addMetric('NightlyRunIncomplete', MetricUnit.Count, verdict.complete ? 0 : 1);
    deps.metrics.publishStoredMetrics();
    if (verdict.complete) deps.logger.info('tonight’s run is complete', verdict);
    else deps.logger.error('tonight’s run is not complete by its deadline', verdict);
    return verdict;
  };
}

export const handler = buildOncePerContainer(async () => createCheckNightlyRunHandler(wireCheckNightlyRun()));
