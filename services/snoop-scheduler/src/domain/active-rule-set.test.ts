import type { RuleSetPublished } from '../../contracts';
import { createMemoryRuleSetStore } from '../adapters/memory-rule-set-store';
import { recordPublishedRuleSet } from './active-rule-set';

const inMemoryStore = createMemoryRuleSetStore;

const published = (version: string, publishedAt: string): RuleSetPublished => ({
  ruleSetVersion: version.padEnd(64, '0'),
  location: { bucket: 'rules', key: `rules/${version}.snoop` },
  checksumSha256: 'c'.repeat(64),
  ruleCount: 3,
  publishedAt,
  publishedBy: 'ops',
});

describe('recordPublishedRuleSet', () => {
  it('activates the first and every newer rule set', async () => {
    const { store, active } = inMemoryStore();
    expect(await recordPublishedRuleSet(published('a', '2026-11-01T00:00:00.000Z'), store)).toBe('activated');
    expect(await recordPublishedRuleSet(published('b', '2026-11-02T00:00:00.000Z'), store)).toBe('activated');
    expect(active()?.ruleSetVersion).toMatch(/^b/);
  });

  it('is idempotent for a redelivered announcement', async () => {
    const { store, history } = inMemoryStore();
    const event = published('a', '2026-11-01T00:00:00.000Z');
    await recordPublishedRuleSet(event, store);
    expect(await recordPublishedRuleSet(event, store)).toBe('already-active');
    expect(history.size).toBe(1);
  });

  it('refuses an announcement dated in the future, so that it cannot shadow later ones', async () => {
    const { store, active } = inMemoryStore();
    const now = new Date('2026-11-22T01:00:00.000Z');
    await expect(recordPublishedRuleSet(published('future', '2026-11-22T01:06:00.000Z'), store, now)).rejects.toThrow(
      /refused, so that it cannot shadow rule sets published later/,
    );
    expect(await recordPublishedRuleSet(published('skewed', '2026-11-22T01:04:00.000Z'), store, now)).toBe('activated');
    expect(active()?.ruleSetVersion).toMatch(/^skewed/);
  });

  it('records but does not activate an announcement older than the active one', async () => {
    const { store, history, active } = inMemoryStore();
    await recordPublishedRuleSet(published('new', '2026-11-02T00:00:00.000Z'), store);
    expect(await recordPublishedRuleSet(published('old', '2026-11-01T00:00:00.000Z'), store)).toBe('superseded');
    expect(active()?.ruleSetVersion).toMatch(/^new/);
    expect(history.size).toBe(2);
  });
});
