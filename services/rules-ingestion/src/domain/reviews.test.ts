import { readFileSync } from 'node:fs';
import { celToCondition, type StoredSnoop } from '@backbone/rules-language';
import { SEED_CATALOGUE } from '../cli';
import { snoopDefinitions, type Actor } from './definitions';
import { editableFields, memoryDefinitionStore } from './definitions.fixtures';
import { comparePublications, publishedByOf, relayRuleSetOutbox, snoopReviews, type RuleSetOutbox } from './reviews';
import { memoryReviewStore } from './reviews.fixtures';
import type { PublishOutcome } from './rule-set';

const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredSnoop[];
const energy = catalogue.find((s) => s.id === 'energy-switch')!;
const person = (name: string, ...roles: string[]): Actor => ({ name, roles: new Set(roles) });
const writer = person('wendy@example.com', 'rules:read', 'rules:edit');
const approver = person('amir@example.com', 'rules:read', 'rules:edit', 'rules:approve');
const publisher = person('pat@example.com', 'rules:read', 'rules:publish');

function setUp() {
  const definitions = memoryDefinitionStore();
  const store = memoryReviewStore(catalogue.filter((s) => s.status === 'active'));
  let ids = 0;
  const reviews = snoopReviews(definitions, store, () => `review-${++ids}`);
  const edits = snoopDefinitions(definitions);
  return { store, reviews, edits };
}

/** A writer's draft, changed once: version 2, lowering the energy snoop's threshold. */
async function draft(edits: ReturnType<typeof snoopDefinitions>) {
  await edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
  return edits.change(writer, 'energy-switch', 1, { when: 'balances.current < 50.0' });
}

describe('review and publish', () => {
  it('publishes nothing a writer saves until someone else approves it, then asks for one publication', async () => {
    const { store, reviews, edits } = setUp();
    await draft(edits);
    const submitted = await reviews.submit(writer, 'energy-switch', 2, 'lower threshold');
    expect(submitted).toMatchObject({
      reviewId: 'review-1',
      state: 'pending',
      version: 2,
      snoop: { status: 'active', condition: celToCondition('balances.current < 50.0') },
      note: 'lower threshold',
      changes: [{ field: 'condition', to: 'balances.current < 50.0' }],
    });
    expect(store.outbox).toEqual([]);
    await expect(reviews.decide(writer, 'review-1', 'approve', '')).rejects.toThrow(/takes the role rules:approve/);
    const approving = { ...approver, name: writer.name };
    await expect(reviews.decide(approving, 'review-1', 'approve', '')).rejects.toThrow(
      'wendy@example.com submitted this change: someone else with rules:approve must decide it',
    );
    expect(await reviews.decide(approver, 'review-1', 'approve', 'fine')).toMatchObject({
      state: 'approved',
      decidedBy: 'amir@example.com',
      comment: 'fine',
    });
    expect(store.approvedNow().find((s) => s.id === 'energy-switch')!.condition).toEqual(
      celToCondition('balances.current < 50.0'),
    );
    expect(store.outbox).toEqual([
      {
        reason: 'approved "energy-switch" version 2 (submitted by wendy@example.com)',
        requestedBy: 'amir@example.com',
      },
    ]);
    await expect(reviews.decide(approver, 'review-1', 'send-back', 'too late')).rejects.toThrow(
      'review review-1 was approved already by amir@example.com: nothing changed',
    );
  });

  it('sends a change back with a comment, and approves nothing', async () => {
    const { store, reviews, edits } = setUp();
    await draft(edits);
    await reviews.submit(writer, 'energy-switch', 2);
    await expect(reviews.decide(approver, 'review-1', 'send-back', ' ')).rejects.toThrow(/say why it goes back/);
    expect(await reviews.decide(approver, 'review-1', 'send-back', 'threshold too low')).toMatchObject({
      state: 'sent-back',
      comment: 'threshold too low',
    });
    expect(store.outbox).toEqual([]);
    expect(await reviews.list(writer, 'pending')).toEqual([]);
    expect(await reviews.list(writer, 'sent-back')).toEqual([expect.objectContaining({ reviewId: 'review-1' })]);
  });

  it('submits only the version the writer read, once', async () => {
    const { reviews, edits } = setUp();
    await draft(edits);
    await expect(reviews.submit(writer, 'energy-switch', 1)).rejects.toThrow(/is at version 2, not 1/);
    await expect(reviews.submit(writer, 'nope', 1)).rejects.toThrow('there is no snoop "nope"');
    await reviews.submit(writer, 'energy-switch', 2);
    await expect(reviews.submit(writer, 'energy-switch', 2)).rejects.toThrow(/was submitted already/);
    await expect(reviews.submit(person('x', 'rules:read'), 'energy-switch', 2)).rejects.toThrow(/rules:edit/);
  });

  it('submits a retirement as a retirement, and a draft as going live', async () => {
    const { reviews, edits } = setUp();
    await edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    await edits.retire(writer, 'energy-switch', 1);
    expect(await reviews.submit(writer, 'energy-switch', 2)).toMatchObject({ snoop: { status: 'retired' } });
  });

  it('refuses an approval that would leave the approved definitions unpublishable, and changes nothing', async () => {
    // An approved row broken outside the editor (by hand in the database): approving anything now would publish it.
    const broken = { ...energy, id: 'broken', score: { value: 'high' } } as unknown as StoredSnoop;
    const definitions = memoryDefinitionStore();
    const store = memoryReviewStore([broken]);
    const reviews = snoopReviews(definitions, store, () => 'review-1');
    await snoopDefinitions(definitions).create(writer, { ...editableFields(energy), id: 'energy-switch' });
    await reviews.submit(writer, 'energy-switch', 1);
    await expect(reviews.decide(approver, 'review-1', 'approve', '')).rejects.toThrow(
      /^approving it would make the rules file invalid: .*the score must be a number/,
    );
    expect(store.outbox).toEqual([]);
    expect(await reviews.read(writer, 'review-1')).toMatchObject({ state: 'pending' });
  });

  it('restores an earlier publication for someone with rules:publish, through the outbox', async () => {
    const { store, reviews } = setUp();
    store.published.set('v1', {
      publication: { ruleSetVersion: 'v1', ruleCount: 1, publishedBy: 'x', publishedAt: 't', restorable: true },
      definitions: [energy],
    });
    store.published.set('v0', {
      publication: { ruleSetVersion: 'v0', ruleCount: 1, publishedBy: 'x', publishedAt: 't', restorable: false },
    });
    await expect(reviews.restore(approver, 'v1')).rejects.toThrow(/takes the role rules:publish/);
    await expect(reviews.restore(publisher, 'v9')).rejects.toThrow('no publication v9: list the publications');
    await expect(reviews.restore(publisher, 'v0')).rejects.toThrow(/before publications kept their definitions/);
    expect(await reviews.restore(publisher, 'v1')).toEqual({ ruleSetVersion: 'v1', queued: true });
    expect(store.approvedNow()).toEqual([energy]);
    expect(store.outbox).toEqual([{ reason: 'restored v1 by pat@example.com', requestedBy: 'pat@example.com' }]);
    expect(await reviews.publications(publisher)).toHaveLength(2);
  });
});

describe('relayRuleSetOutbox', () => {
  const published: PublishOutcome = {
    status: 'unchanged',
    version: 'a'.repeat(64),
    ruleCount: 1,
  };

  it('publishes once for every waiting row, naming who asked', async () => {
    const calls: string[] = [];
    const outbox: RuleSetOutbox = {
      promoteScheduled: async () => 1,
      drain: async (publish) => ({
        rows: 2,
        outcome: await publish([
          { reason: 'a', requestedBy: 'amir' },
          { reason: 'b', requestedBy: 'pat' },
        ]),
      }),
    };
    expect(await relayRuleSetOutbox(outbox, async (by) => (calls.push(by), published))).toEqual({
      rows: 2,
      promoted: 1,
      outcome: published,
    });
    expect(calls).toEqual(['amir, pat']);
  });

  it('names each person once, in at most 128 characters (the announcement allows no more)', () => {
    expect(
      publishedByOf([
        { reason: 'a', requestedBy: 'x' },
        { reason: 'b', requestedBy: 'x' },
      ]),
    ).toBe('x');
    expect(
      publishedByOf(Array.from({ length: 40 }, (_, i) => ({ reason: 'r', requestedBy: `person-${i}@example.com` })))
        .length,
    ).toBe(128);
  });
});

describe('comparing two publications', () => {
  const groceries = catalogue.find((s) => s.id === 'groceries-high')!;
  const salary = catalogue.find((s) => s.id === 'salary-day')!;
  const buffer = catalogue.find((s) => s.id === 'savings-buffer-low')!;

  it('says snoop by snoop what was added, removed and changed, and how many are the same', () => {
    const changedEnergy = {
      ...energy,
      version: energy.version + 1,
      condition: celToCondition('balances.current < 50.0'),
    };
    expect(comparePublications([energy, groceries, salary], [changedEnergy, groceries, { ...salary }, buffer])).toEqual(
      {
        added: ['savings-buffer-low'],
        removed: [],
        changed: [
          {
            id: 'energy-switch',
            changes: [{ field: 'condition', from: expect.any(String), to: 'balances.current < 50.0' }],
          },
        ],
        unchanged: 2,
      },
    );
    expect(comparePublications([energy, groceries], [groceries])).toEqual({
      added: [],
      removed: ['energy-switch'],
      changed: [],
      unchanged: 1,
    });
  });

  it('compares two kept publications for a reader, and says which has no definitions kept', async () => {
    const { store, reviews } = setUp();
    const publication = (v: string) => ({
      ruleSetVersion: v,
      ruleCount: 1,
      publishedBy: 'x',
      publishedAt: 't',
      restorable: true,
    });
    store.published.set('a'.repeat(64), { publication: publication('a'.repeat(64)), definitions: [energy] });
    store.published.set('b'.repeat(64), { publication: publication('b'.repeat(64)), definitions: [energy, groceries] });
    expect(await reviews.compare(writer, 'a'.repeat(64), 'b'.repeat(64))).toEqual({
      added: ['groceries-high'],
      removed: [],
      changed: [],
      unchanged: 1,
    });
    await expect(reviews.compare(writer, 'a'.repeat(64), 'c'.repeat(64))).rejects.toThrow(
      `no definitions kept for ${'c'.repeat(12)}: list the publications`,
    );
    await expect(reviews.compare(person('nobody'), 'a'.repeat(64), 'b'.repeat(64))).rejects.toThrow(/rules:read/);
  });
});
