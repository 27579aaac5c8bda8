import {
  createDocumentClient,
  createLogger,
  createMetrics,
  createSecretsManagerClient,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';

import { z } from 'zod';

import { countScoredIfOpen } from '../../adapters/dynamodb-runs';

import { createHttpEngineClient } from '../../adapters/engine-client';
import { refreshSecretReader } from '../../adapters/refresh-secret';

import { SERVICE } from '../../composition-root';

import type { SqsConsumerDeps } from '@backbone/shared';

import type { EngineClient, InvokePolicy } from '../../domain/invoke-engine';

/** What one batch added to its run's record. */
export interface RunCounts {
  customersScored: number;
  customersFailed: number;
  evaluations: number;
}

export interface InvokeEngineDeps extends SqsConsumerDeps {
  engine: EngineClient;
  /** Adds to the run's record what this batch did (for watching the run; a failure to count fails nothing). */
  countRun?: (runId: string, counts: RunCounts) => Promise<void>;
  policy?: InvokePolicy;
  sleep?: (ms: number) => Promise<void>;
}

const invokeEngineConfigSchema = sqsConsumerConfigSchema.extend({
  /** The rules engine's load balancer (the local one locally). */
  ENGINE_URL: z.url(),
  SNOOP_RUNS_TABLE: z.string().min(3),
  /** The engine's secret, which signs every request: locally the stage's value, in AWS its Secrets Manager secret. */
  RULES_REFRESH_SECRET: z.string().min(16).optional(),
  RULES_REFRESH_SECRET_ARN: z.string().min(1).optional(),
});

/** The function's side effects: the engine, its DLQ, and the source queue's visibility for backoff. */
export function wireInvokeEngine(env: Record<string, string | undefined> = process.env): InvokeEngineDeps {
  const config = loadConfig(invokeEngineConfigSchema, env, `${SERVICE}/invokeEngine`);
  const { aws, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  const documents = createDocumentClient(aws);
  return {
    engine: createHttpEngineClient(
      config.ENGINE_URL,
      refreshSecretReader(config, () => createSecretsManagerClient(aws)),
    ),
    countRun: (runId, counts) => countScoredIfOpen(documents, config.SNOOP_RUNS_TABLE, runId, counts),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
