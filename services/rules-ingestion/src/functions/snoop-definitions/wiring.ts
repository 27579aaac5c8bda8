import { createLogger, type Logger } from '@backbone/shared';
import { createSnoopDefinitions, SERVICE } from '../../composition-root';
import type { SnoopDefinitions } from '../../domain/definitions';

export interface SnoopDefinitionsDeps {
  definitions: SnoopDefinitions;
  logger: Logger;
}

/** The definitions API's side effects: PostgreSQL (or Aurora) only. */
export function wireSnoopDefinitions(env: Record<string, string | undefined> = process.env): SnoopDefinitionsDeps {
  return { definitions: createSnoopDefinitions(env).definitions, logger: createLogger(SERVICE) };
}
