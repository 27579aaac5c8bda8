import { createLogger } from '@backbone/shared';
import type { PublishOutcome } from '../../domain/rule-set';
import { createRelayRuleSetOutboxHandler } from './handler';

const published: PublishOutcome = {
  status: 'published',
  published: {
    ruleSetVersion: 'a'.repeat(64),
    location: { bucket: 'rules', key: `rules/${'a'.repeat(64)}.snoop` },
    checksumSha256: 'a'.repeat(64),
    ruleCount: 56,
    publishedAt: '2026-12-07T10:00:00.000Z',
    publishedBy: 'amir@example.com',
  },
};

describe('the outbox relay function', () => {
  it('says how many requests it published, and the version', async () => {
    const handler = createRelayRuleSetOutboxHandler({
      relay: async () => ({ rows: 2, promoted: 0, outcome: published }),
      logger: createLogger('test'),
    });
    expect(await handler()).toEqual({ rows: 2, status: 'published', ruleSetVersion: 'a'.repeat(64) });
  });

  it('does nothing when no request waits', async () => {
    const handler = createRelayRuleSetOutboxHandler({
      relay: async () => ({ rows: 0, promoted: 0 }),
      logger: createLogger('test'),
    });
    expect(await handler()).toEqual({ rows: 0 });
  });

  it('says how many scheduled approvals took effect, with the publication that carries them', async () => {
    const run = (rows: number) =>
      createRelayRuleSetOutboxHandler({
        relay: async () => ({ rows, promoted: 1, ...(rows > 0 ? { outcome: published } : {}) }),
        logger: createLogger('test'),
      })();
    expect(await run(1)).toEqual({ rows: 1, promoted: 1, status: 'published', ruleSetVersion: 'a'.repeat(64) });
    expect(await run(0)).toEqual({ rows: 0, promoted: 1 });
  });

  it('lets a failure through, so that the rows wait for the next run and the error is seen', async () => {
    const handler = createRelayRuleSetOutboxHandler({
      relay: async () => {
        throw new Error('bucket unavailable');
      },
      logger: createLogger('test'),
    });
    await expect(handler()).rejects.toThrow('bucket unavailable');
  });
});
