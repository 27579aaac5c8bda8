import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createRulesValidation } from '../composition-root';
import { guarded, invalid, json, parseBody } from './http-common';

const validation = createRulesValidation();

/**
 * POST /rule-sets/validation: with `{"definition": {...}}` (the stored JSON form), checks that definition
 * with the active ones it would join; with an empty body, checks the active set. 200 valid, 422 invalid.
 */
export async function validateRuleSet(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return guarded(event, async () => {
    const parsed = parseBody(event);
    const body = parsed.ok ? parsed.body : undefined;
    if (!parsed.ok || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return json(400, {
        message:
          'the body must be a JSON object: {"definition": {...}} to check one definition before saving it, or empty to check the active set',
      });
    }
    const candidate = (body as { definition?: unknown }).definition;
    const built = await validation.validate(candidate);
    if (!built.ok) return json(422, { valid: false, ...invalid(built.errors) });
    return json(200, {
      valid: true,
      checked: candidate === undefined ? 'active definitions' : 'the definition with the active ones',
      ruleCount: built.definitions.length,
      ruleSetVersion: built.version,
    });
  });
}
