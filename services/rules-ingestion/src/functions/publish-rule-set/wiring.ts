import { createLogger } from '@backbone/shared';
import { createRulesIngestion, SERVICE } from '../../composition-root';
import type { PublishRuleSetDeps } from './handler';

/** The publish function's side effects: PostgreSQL (or Aurora), S3 and the announcement queue. */
export function wirePublishRuleSet(env: Record<string, string | undefined> = process.env): PublishRuleSetDeps {
  const ingestion = createRulesIngestion(env);
  return { publish: (publishedBy) => ingestion.publish(publishedBy), logger: createLogger(SERVICE) };
}
