import { createLogger } from '@backbone/shared';
import { createRulesIngestion, SERVICE } from '../../composition-root';
import type { Logger } from '@backbone/shared';
import type { PublishOutcome } from '../../domain/rule-set';

export interface PublishRuleSetDeps {
  publish: (publishedBy: string) => Promise<PublishOutcome>;
  logger: Logger;
}

/** The publish function's side effects: PostgreSQL (or Aurora), S3 and the announcement queue. */
export function wirePublishRuleSet(env: Record<string, string | undefined> = process.env): PublishRuleSetDeps {
  const ingestion = createRulesIngestion(env);
  return { publish: (publishedBy) => ingestion.publish(publishedBy), logger: createLogger(SERVICE) };
}
