import { createLogger, type Logger } from '@backbone/shared';
import { createSnoopDefinitions, SERVICE } from '../../composition-root';
import type { SnoopDefinitions } from '../../domain/definitions';
import type { SnoopReviews } from '../../domain/reviews';

export interface SnoopDefinitionsDeps {
  definitions: SnoopDefinitions;
  reviews: SnoopReviews;
  logger: Logger;
}

/** The definitions API's side effects: PostgreSQL (or Aurora) only. */
export function wireSnoopDefinitions(env: Record<string, string | undefined> = process.env): SnoopDefinitionsDeps {
  const { definitions, reviews } = createSnoopDefinitions(env);
  return { definitions, reviews, logger: createLogger(SERVICE) };
}
