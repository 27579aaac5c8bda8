import { createLogger } from '@backbone/shared';
import { createRulesValidation, SERVICE } from '../../composition-root';
import type { Logger } from '@backbone/shared';
import type { RulesValidation } from '../../composition-root';

export interface ValidateRuleSetDeps {
  validate: RulesValidation['validate'];
  logger: Logger;
}

/** The validate function's side effects: PostgreSQL (or Aurora) only; it writes nothing. */
export function wireValidateRuleSet(env: Record<string, string | undefined> = process.env): ValidateRuleSetDeps {
  const validation = createRulesValidation(env);
  return { validate: (candidate) => validation.validate(candidate), logger: createLogger(SERVICE) };
}
