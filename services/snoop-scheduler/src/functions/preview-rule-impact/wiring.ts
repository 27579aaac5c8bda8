import {
  createLogger,
  createMetrics,
  createSecretsManagerClient,
  loadConfig,
  publishEnvelopes,
  QueueUrlResolver,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
  type SqsConsumerDeps,
} from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { z } from 'zod';
import { impactPreviewComputedV1, type ImpactPreviewComputed } from '../../../contracts';
import { pageEligibleCustomers, readCustomers } from '../../adapters/customer-store';
import { SERVICE } from '../../composition-root';
import type { ImpactPreviewPorts } from '../../domain/impact-preview';

export interface PreviewRuleImpactDeps extends SqsConsumerDeps {
  store: Omit<ImpactPreviewPorts, 'onPage'>;
  /** Sends the answer to rules-ingestion's impact-previews queue. */
  answer(answer: ImpactPreviewComputed, correlationId: string | undefined): Promise<void>;
}

const configSchema = sqsConsumerConfigSchema.extend(postgresEnvironmentSchema.shape).extend({
  /** Owned by rules-ingestion (serverless-compose passes its name). */
  IMPACT_PREVIEW_ANSWERS_QUEUE_NAME: z.string().min(1),
  ENGINE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('GBP'),
  ENGINE_MAX_WINDOW_DAYS: z.coerce.number().int().min(1).max(400).default(400),
});

/** The customer store (read-only, as the engine reads it), its DLQ, and rules-ingestion's answers queue. */
export function wirePreviewRuleImpact(env: Record<string, string | undefined> = process.env): PreviewRuleImpactDeps {
  const config = loadConfig(configSchema, env, `${SERVICE}/previewRuleImpact`);
  const { aws, sqs, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  const queueUrls = new QueueUrlResolver(sqs);
  const pool = createPostgresPool(config, config.PGPASSWORD_SECRET_ARN ? createSecretsManagerClient(aws) : undefined);
  return {
    store: {
      pageCustomers: (after, limit) => pageEligibleCustomers(pool, after, limit),
      readCustomers: (ids, options) => readCustomers(pool, ids, options),
      currency: config.ENGINE_CURRENCY,
      maxWindowDays: config.ENGINE_MAX_WINDOW_DAYS,
    },
    async answer(answer, correlationId) {
      // The id follows the preview: an answer sent twice (a retried batch) is the same message.
      const envelope = impactPreviewComputedV1.create(answer, {
        id: `impact-${answer.previewId}`,
        ...(correlationId ? { correlationId } : {}),
      });
      const [result] = await publishEnvelopes(sqs, await queueUrls.resolve(config.IMPACT_PREVIEW_ANSWERS_QUEUE_NAME), [
        envelope,
      ]);
      if (result?.status !== 'sent') throw new Error(`the answer was not sent: ${result?.reason ?? 'no result'}`);
    },
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
