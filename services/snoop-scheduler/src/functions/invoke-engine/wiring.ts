import {
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { z } from 'zod';
import { createHttpEngineClient } from '../../adapters/engine-client';
import { SERVICE } from '../../service';
import type { InvokeEngineDeps } from './handler';

const invokeEngineConfigSchema = sqsConsumerConfigSchema.extend({
  /** The rules engine's load balancer (the local one locally). */
  ENGINE_URL: z.url(),
});

/** The function's side effects: the engine, its DLQ, and the source queue's visibility for backoff. */
export function wireInvokeEngine(env: Record<string, string | undefined> = process.env): InvokeEngineDeps {
  const config = loadConfig(invokeEngineConfigSchema, env, `${SERVICE}/invokeEngine`);
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  return {
    engine: createHttpEngineClient(config.ENGINE_URL),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
