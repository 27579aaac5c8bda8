import { createLogger, type Failure } from '@backbone/shared';
import { ruleSetPublishedV1 } from '../../../contracts';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { createMemoryRuleSetStore } from '../../adapters/memory-rule-set-store';
import { createRuleSetPublishedHandler } from './handler';

const NOW = new Date('2026-11-30T10:00:00.000Z');

const announcement = (version: string, publishedAt: string) =>
  JSON.stringify({
    id: `RuleSetPublished:${version}`,
    type: ruleSetPublishedV1.type,
    version: 1,
    occurredAt: publishedAt,
    correlationId: 'c-1',
    data: {
      ruleSetVersion: version.repeat(64).slice(0, 64),
      location: { bucket: 'rules', key: `rules/${version}.snoop` },
      checksumSha256: 'c'.repeat(64),
      ruleCount: 3,
      publishedAt,
      publishedBy: 'arn:aws:iam::1:user/ops',
    },
  });

function handlerWithMemory() {
  const memory = createMemoryRuleSetStore();
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createRuleSetPublishedHandler({
    store: memory.store,
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 3,
    logger: createLogger('test'),
    now: () => NOW,
  });
  return { handler, memory, deadLettered };
}

describe('ruleSetPublished handler', () => {
  it('activates the newest of the announcements in a batch, whatever their order', async () => {
    const { handler, memory, deadLettered } = handlerWithMemory();
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(announcement('b', '2026-11-30T09:00:00.000Z')),
          sqsRecordFactory(announcement('a', '2026-11-29T09:00:00.000Z')),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    expect(memory.history.size).toBe(2);
    expect(memory.active()?.key).toBe('rules/b.snoop');
  });

  it('dead-letters a malformed announcement with the field at fault, without failing its sibling', async () => {
    const { handler, memory, deadLettered } = handlerWithMemory();
    const bad = JSON.parse(announcement('a', '2026-11-30T09:00:00.000Z')) as { data: Record<string, unknown> };
    bad.data.ruleCount = 'many';
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(JSON.stringify(bad)),
          sqsRecordFactory(announcement('b', '2026-11-30T09:30:00.000Z')),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.failure).toMatchObject({ kind: 'permanent', reason: expect.stringMatching(/ruleCount/) });
    expect(memory.active()?.key).toBe('rules/b.snoop');
  });

  it('refuses an announcement dated in the future (it would shadow every later rule set)', async () => {
    const { handler, memory, deadLettered } = handlerWithMemory();
    await handler({ Records: [sqsRecordFactory(announcement('f', '2026-12-30T00:00:00.000Z'))] }, lambdaContext());
    expect(memory.active()).toBeUndefined();
    expect(deadLettered[0]!.failure.reason).toMatch(/publisher's clock/);
  });

  it('is a Lambda handler that builds its parts on first use', async () => {
    const { handler } = await import('./handler');
    await expect(handler({ Records: [] }, lambdaContext())).rejects.toThrow(/RULE_SETS_TABLE/);
  });
});
