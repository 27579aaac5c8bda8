import { createLogger, type Logger } from '@backbone/shared';
import { createSnoopDefinitions, SERVICE } from '../../composition-root';
import type { SnoopDefinitions } from '../../domain/definitions';
import type { ImpactPreviews } from '../../domain/impact-previews';
import type { SnoopReviews } from '../../domain/reviews';

export interface SnoopDefinitionsDeps {
  definitions: SnoopDefinitions;
  reviews: SnoopReviews;
  previews: ImpactPreviews;
  logger: Logger;
}

/** The definitions API's side effects: PostgreSQL (or Aurora), and snoop-scheduler's impact-previews queue. */
export function wireSnoopDefinitions(env: Record<string, string | undefined> = process.env): SnoopDefinitionsDeps {
  const { definitions, reviews, previews } = createSnoopDefinitions(env);
  return { definitions, reviews, previews, logger: createLogger(SERVICE) };
}
