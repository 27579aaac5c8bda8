import { evaluateRequestSchema, readEvaluateAnswer, type EvaluateBatchRequest, type EvaluateResponse } from './engine';

describe("the rules engine's protocol", () => {
  const scored: EvaluateResponse = {
    runId: 'night-2026-11-30',
    rulesVersion: 'a'.repeat(64),
    on: '2026-11-30',
    dryRun: false,
    evaluated: 4,
    qualified: 1,
    written: 4,
    errors: [{ customerId: 'c-9', code: 'unknown-customer', reason: 'not in the customer store' }],
  };

  it('reads a 200 as scored, with its counts and errors', () => {
    expect(readEvaluateAnswer(200, JSON.stringify(scored))).toEqual({
      kind: 'scored',
      evaluated: 4,
      written: 4,
      errors: scored.errors,
    });
  });

  it("reads a 200 that is not the protocol's answer as unavailable, never as scored", () => {
    expect(readEvaluateAnswer(200, '{"evaluated": "many"}')).toMatchObject({ kind: 'unavailable' });
    expect(readEvaluateAnswer(200, '<html>')).toMatchObject({ kind: 'unavailable' });
  });

  it('reads 409 as superseded, 400 and 413 as refused, anything else as unavailable, with the words given', () => {
    const error = (words: string) => JSON.stringify({ error: words, reason: 'superseded' });
    expect(readEvaluateAnswer(409, error('run B is current'))).toEqual({
      kind: 'superseded',
      message: 'run B is current',
    });
    expect(readEvaluateAnswer(400, error('customers.0: bad'))).toEqual({
      kind: 'refused',
      message: 'customers.0: bad',
    });
    expect(readEvaluateAnswer(413, error('too large'))).toEqual({ kind: 'refused', message: 'too large' });
    expect(readEvaluateAnswer(503, error('no rule set yet'))).toEqual({
      kind: 'unavailable',
      message: 'HTTP 503: no rule set yet',
    });
    expect(readEvaluateAnswer(502, '<html>Bad Gateway</html>')).toEqual({
      kind: 'unavailable',
      message: 'HTTP 502: <html>Bad Gateway</html>',
    });
  });

  it("accepts the invoke step's batch request as the server reads it", () => {
    const request: EvaluateBatchRequest = {
      runId: 'night-2026-11-30',
      on: '2026-11-30',
      customers: [{ customerId: 'c-1', ruleIds: ['energy-switch'] }],
    };
    expect(evaluateRequestSchema.parse(request)).toEqual(request);
  });
});
