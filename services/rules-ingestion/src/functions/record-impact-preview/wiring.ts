import {
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
  type SqsConsumerDeps,
} from '@backbone/shared';
import { createImpactPreviewAnswers, SERVICE } from '../../composition-root';
import type { ImpactPreviewStore } from '../../domain/impact-previews';

export interface RecordImpactPreviewDeps extends SqsConsumerDeps {
  record: ImpactPreviewStore['answer'];
}

/** PostgreSQL (or Aurora: the previews), the answers queue's DLQ, and its visibility for backoff. */
export function wireRecordImpactPreview(
  env: Record<string, string | undefined> = process.env,
): RecordImpactPreviewDeps {
  const config = loadConfig(sqsConsumerConfigSchema, env, `${SERVICE}/recordImpactPreview`);
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  return {
    record: createImpactPreviewAnswers(env).record,
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
