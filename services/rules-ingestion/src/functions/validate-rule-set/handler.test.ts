import { createLogger } from '@backbone/shared';
import { apiGatewayEvent } from '@backbone/shared/testing';
import type { BuiltRuleSet } from '../../domain/rule-set';
import { createValidateRuleSetHandler } from './handler';

const VALID: BuiltRuleSet & { activeCount: number } = {
  ok: true,
  text: 'snoop "a" {}',
  version: 'ef'.repeat(32),
  checksumSha256: 'ef'.repeat(32),
  definitions: [],
  activeCount: 0,
};

function validating(answer: BuiltRuleSet & { activeCount: number }) {
  const candidates: unknown[] = [];
  const handler = createValidateRuleSetHandler({
    logger: createLogger('test'),
    async validate(candidate) {
      candidates.push(candidate);
      return answer;
    },
  });
  return { handler, candidates };
}

const post = (body: string | null, base64 = false) =>
  apiGatewayEvent({ body, base64, callerArn: 'arn:aws:iam::1:user/x' });
const bodyOf = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

describe('POST /rule-sets/validation', () => {
  it('checks the active set when the body is empty', async () => {
    const { handler, candidates } = validating(VALID);
    const result = await handler(post(null));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ valid: true, checked: 'active definitions', ruleSetVersion: VALID.version });
    expect(candidates).toEqual([undefined]);
  });

  it('checks the definition it is given, base64 bodies included', async () => {
    const definition = { id: 'energy-switch', name: 'Switch' };
    const { handler, candidates } = validating(VALID);
    const result = await handler(post(JSON.stringify({ definition }), true));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).checked).toBe('the definition with the active ones');
    expect(candidates).toEqual([definition]);
  });

  it('answers 422 with each problem when the definition is invalid', async () => {
    const errors = [{ snoopId: 'x', message: 'unknown field "agee" of profile' }];
    const { handler } = validating({ ok: false, errors, definitions: 1, activeCount: 1 });
    const result = await handler(post('{"definition": {"id": "x"}}'));
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({ valid: false, errors });
  });

  it.each([
    ['not JSON', '{not json', /not JSON/],
    ['an array', '[1, 2]', /\(body\): the body must be a JSON object/],
    ['a null definition', '{"definition": null}', /definition: must be a snoop definition object/],
    ['a string definition', '{"definition": "energy"}', /definition: must be a snoop definition object/],
  ])('answers 400 naming what is wrong for %s, and validates nothing', async (_case, body, message) => {
    const { handler, candidates } = validating(VALID);
    const result = await handler(post(body));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result).message).toMatch(message);
    expect(bodyOf(result).message).toMatch(/\{"definition": \{\.\.\.\}\}/);
    expect(candidates).toEqual([]);
  });
});
