import { createLogger } from '@backbone/shared';
import { type RuleSetPublished } from '@backbone/snoop-scheduler/contracts';
import { apiGatewayEvent, lambdaContext } from '@backbone/shared/testing';
import type { PublishOutcome } from '../../domain/rule-set';
import { createPublishRuleSetHandler } from './handler';

const CALLER = 'arn:aws:iam::123456789012:user/rules-editor';
const VERSION = 'ab'.repeat(32);
const published: RuleSetPublished = {
  ruleSetVersion: VERSION,
  location: { bucket: 'rules-bucket', key: `rules/${VERSION}.snoop` },
  checksumSha256: 'cd'.repeat(32),
  ruleCount: 3,
  publishedAt: '2026-11-30T10:00:00.000Z',
  publishedBy: CALLER,
};

function handlerAnswering(outcome: PublishOutcome | Error) {
  const callers: string[] = [];
  const handler = createPublishRuleSetHandler({
    logger: createLogger('test'),
    async publish(by) {
      callers.push(by);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  });
  return { handler, callers };
}

const bodyOf = (result: { body: string }) => JSON.parse(result.body) as Record<string, unknown>;

describe('POST /rule-sets', () => {
  it('publishes as the signed caller and answers 201 with the publication', async () => {
    const { handler, callers } = handlerAnswering({ status: 'published', published });
    const result = await handler(apiGatewayEvent({ callerArn: CALLER }));
    expect(callers).toEqual([CALLER]);
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ status: 'published', ...published });
  });

  it('answers 200 unchanged when the same content is already published', async () => {
    const { handler } = handlerAnswering({ status: 'unchanged', version: VERSION, ruleCount: 3 });
    const result = await handler(apiGatewayEvent({ callerArn: CALLER }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ status: 'unchanged', ruleSetVersion: VERSION, ruleCount: 3 });
  });

  it('answers 422 with every problem when a definition is invalid', async () => {
    const errors = [{ snoopId: 'energy-switch', message: 'score is 3; a score must be between 0 and 1' }];
    const { handler } = handlerAnswering({ status: 'invalid', errors });
    const result = await handler(apiGatewayEvent({ callerArn: CALLER }));
    expect(result.statusCode).toBe(422);
    expect(bodyOf(result)).toMatchObject({
      status: 'invalid',
      errors,
      message: expect.stringMatching(/nothing was written/),
    });
  });

  it('refuses an unsigned request with 403 and publishes nothing', async () => {
    const { handler, callers } = handlerAnswering({ status: 'published', published });
    const result = await handler(apiGatewayEvent());
    expect(result.statusCode).toBe(403);
    expect(bodyOf(result).message).toMatch(/SigV4/);
    expect(callers).toEqual([]);
  });

  it('answers 500 with the request id, not a stack, when publishing fails', async () => {
    const { handler } = handlerAnswering(new Error('connection refused by PostgreSQL'));
    const event = apiGatewayEvent({ callerArn: CALLER });
    const result = await handler(event);
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({
      message: expect.stringMatching(/quote this request id/),
      requestId: event.requestContext.requestId,
    });
    expect(result.body).not.toMatch(/PostgreSQL/);
  });

  it('is a Lambda handler that builds its parts on first use', async () => {
    const { handler: lambda } = await import('./handler');
    // Without a database configured the build fails: the invocation reports it, nothing was cached.
    await expect(lambda(apiGatewayEvent({ callerArn: CALLER }), lambdaContext())).rejects.toThrow(/RULES_BUCKET/);
  });
});
