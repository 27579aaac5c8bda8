import { buildOncePerContainer, guardedHttp, jsonResponse, parseJsonBody, type HttpHandler } from '@backbone/shared';
import { validationRequestSchema } from '../../../contracts';

import { invalidDefinitions } from '../../domain/report';

import { wireValidateRuleSet, type ValidateRuleSetDeps } from './wiring';

const EXPECTED_BODY =
  '{"definition": {...}} to check one definition before saving it, or an empty body to check the active set';

/**
 * POST /rule-sets/validation: with `{"definition": {...}}` (the stored JSON form), checks that definition
 * with the active ones it would join; with an empty body, checks the active set. 200 valid, 422 invalid.
 */
export function createValidateRuleSetHandler({ validate, logger }: ValidateRuleSetDeps): HttpHandler {
  return guardedHttp('rules-ingestion', logger, async (event) => {
    const body = parseJsonBody(event, validationRequestSchema, EXPECTED_BODY);
    if (!body.ok) return body.response;
    const candidate = body.value.definition;
    const built = await validate(candidate);
    if (!built.ok) return jsonResponse(422, { valid: false, ...invalidDefinitions(built.errors) });
    return jsonResponse(200, {
      valid: true,
      checked: candidate === undefined ? 'active definitions' : 'the definition with the active ones',
      ruleCount: built.definitions.length,
      ruleSetVersion: built.version,
    });
  });
}

export const handler = buildOncePerContainer(async () => createValidateRuleSetHandler(wireValidateRuleSet()));

export type { ValidateRuleSetDeps } from './wiring';
