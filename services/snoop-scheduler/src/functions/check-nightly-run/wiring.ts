import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createLogger,
  createMetrics,
  loadConfig,
  type Logger,
  type Metrics,
} from '@backbone/shared';
import { z } from 'zod';
import { readRun } from '../../adapters/dynamodb-runs';
import { SERVICE } from '../../composition-root';
import type { RunRecord } from '../../domain/nightly-run';

export interface CheckNightlyRunDeps {
  readRun(runId: string): Promise<RunRecord | undefined>;
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>;
  logger: Pick<Logger, 'info' | 'error'>;
  now?: () => Date;
}

const configSchema = awsEnvironmentSchema.extend({ SNOOP_RUNS_TABLE: z.string().min(3) });

/** The runs table (read only) and the metric the alarm watches. */
export function wireCheckNightlyRun(env: Record<string, string | undefined> = process.env): CheckNightlyRunDeps {
  const config = loadConfig(configSchema, env, `${SERVICE}/checkNightlyRun`);
  const documents = createDocumentClient(awsClientSettings(config));
  return {
    readRun: (runId) => readRun(documents, config.SNOOP_RUNS_TABLE, runId),
    metrics: createMetrics(SERVICE),
    logger: createLogger(SERVICE),
  };
}
