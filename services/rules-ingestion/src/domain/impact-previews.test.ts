import { readFileSync } from 'node:fs';
import { parseRuleFile, type StoredSnoop } from '@backbone/rules-language';
import { SEED_CATALOGUE } from '../cli';
import { snoopDefinitions, type Actor } from './definitions';
import { editableFields, memoryDefinitionStore } from './definitions.fixtures';
import { impactPreviews, DEFAULT_PREVIEW_CUSTOMERS } from './impact-previews';
import { memoryImpactPreviews } from './impact-previews.fixtures';
import { memoryReviewStore } from './reviews.fixtures';
import { buildRuleSet } from './rule-set';

const catalogue = (JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredSnoop[]).filter(
  (s) => s.status === 'active',
);
const energy = catalogue.find((s) => s.id === 'energy-switch')!;
const person = (name: string, ...roles: string[]): Actor => ({ name, roles: new Set(roles) });
const writer = person('wendy@example.com', 'rules:read', 'rules:edit');
const reader = person('rita@example.com', 'rules:read');
const SERVED = 'a'.repeat(64);
const EARLIER = 'b'.repeat(64);

function setUp(options: { served?: string; kept?: StoredSnoop[] | null } = {}) {
  const definitions = memoryDefinitionStore();
  const reviews = memoryReviewStore(catalogue);
  const served = options.served === undefined ? SERVED : options.served;
  if (served && options.kept !== null)
    reviews.published.set(served, {
      publication: { ruleSetVersion: served, ruleCount: 1, publishedBy: 'x', publishedAt: 'y', restorable: true },
      definitions: options.kept ?? catalogue,
    });
  const memory = memoryImpactPreviews();
  let ids = 0;
  const previews = impactPreviews({
    definitions,
    reviews,
    servedVersion: async () => served || undefined,
    previews: memory.store,
    queue: memory.queue,
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
    now: () => new Date('2026-12-07T10:00:00Z'),
  });
  return { previews, memory, reviews, edits: snoopDefinitions(definitions) };
}

const idsIn = (rulesFile: string) => parseRuleFile(rulesFile).snoops.map((s) => s.definition.id);

describe('impact previews', () => {
  it('asks for what is served against it with the snoop\u2019s latest saved version in place, over 10,000 customers', async () => {
    const { previews, memory, edits } = setUp();
    await edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    await edits.change(writer, 'energy-switch', 1, { when: 'balances.current < 50.0' });
    const asked = await previews.request(writer, { snoopIds: ['energy-switch'] });
    expect(asked).toMatchObject({
      previewId: '00000000-0000-4000-8000-000000000001',
      state: 'pending',
      requestedBy: 'wendy@example.com',
      snoopIds: ['energy-switch'],
      customers: DEFAULT_PREVIEW_CUSTOMERS,
      before: SERVED,
      after: 'draft',
      on: '2026-12-07',
    });
    const [sent] = memory.sent;
    expect(sent!.before!.rulesFile).toBe((buildRuleSet(catalogue) as { text: string }).text);
    expect(sent!.after.rulesFile).toContain('balances.current < 50.0');
    expect(sent!.before!.rulesFile).not.toContain('balances.current < 50.0');
    expect(idsIn(sent!.after.rulesFile).sort()).toEqual(catalogue.map((s) => s.id).sort());
    expect(sent).toMatchObject({ snoopIds: ['energy-switch'], customers: 10_000, on: '2026-12-07', samplesPerKind: 3 });
  });

  it('counts a retired snoop as leaving, a new one as arriving, every eligible customer when asked', async () => {
    const { previews, memory, edits } = setUp();
    await edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    await edits.retire(writer, 'energy-switch', 1);
    await edits.create(writer, { ...editableFields(energy), id: 'energy-switch-2' });
    await previews.request(writer, { snoopIds: ['energy-switch', 'energy-switch-2'], customers: null });
    const ids = idsIn(memory.sent[0]!.after.rulesFile);
    expect(ids).not.toContain('energy-switch');
    expect(ids).toContain('energy-switch-2');
    expect(memory.sent[0]!.customers).toBeNull();
  });

  it('previews against the approved definitions when the served publication kept none, and against nothing before any', async () => {
    const kept = setUp({ kept: null });
    await kept.edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    await kept.previews.request(writer, { snoopIds: ['energy-switch'] });
    expect(idsIn(kept.memory.sent[0]!.before!.rulesFile).length).toBe(catalogue.length);

    const first = setUp({ served: '' });
    await first.edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    const asked = await first.previews.request(writer, { snoopIds: ['energy-switch'] });
    expect(first.memory.sent[0]!.before).toBeNull();
    expect(idsIn(first.memory.sent[0]!.after.rulesFile)).toEqual(['energy-switch']);
    expect(asked.before).toBe('(nothing published)');
  });

  it('compares two publications over the snoops one adds, removes or changes', async () => {
    const { previews, memory, reviews } = setUp();
    const dropped = catalogue.find((s) => s.id !== energy.id)!;
    const changed = catalogue.map((s) =>
      s.id === energy.id ? { ...s, version: s.version + 1, score: { value: 0.9 } } : s,
    );
    reviews.published.set(EARLIER, {
      publication: { ruleSetVersion: EARLIER, ruleCount: 1, publishedBy: 'x', publishedAt: 'y', restorable: true },
      definitions: changed.filter((s) => s.id !== dropped.id),
    });
    await previews.request(reader, { from: EARLIER, to: SERVED });
    expect(memory.sent[0]).toMatchObject({
      before: { label: EARLIER },
      after: { label: SERVED },
      snoopIds: [dropped.id, energy.id].sort(),
    });
    await expect(previews.request(reader, { from: SERVED, to: SERVED })).rejects.toThrow(
      'hold the same snoops: there is no difference to count',
    );
    await expect(previews.request(reader, { from: 'c'.repeat(64), to: SERVED })).rejects.toThrow(
      'no definitions kept for cccccccccccc',
    );
  });

  it('refuses an unknown snoop and anyone without rules:read, sending nothing', async () => {
    const { previews, memory } = setUp();
    await expect(previews.request(writer, { snoopIds: ['nope'] })).rejects.toThrow('there is no snoop "nope"');
    await expect(previews.request(person('x'), { snoopIds: ['energy-switch'] })).rejects.toThrow(
      'x may not preview the impact of a change: it takes the role rules:read',
    );
    expect(memory.sent).toEqual([]);
  });

  it('keeps the answer once, and shows sample customers to editors and approvers only', async () => {
    const { previews, memory, edits } = setUp();
    await edits.create(writer, { ...editableFields(energy), id: 'energy-switch' });
    const { previewId } = await previews.request(writer, { snoopIds: ['energy-switch'] });
    const sample = { customerId: 'cust-000001', before: 'no', after: 'spent 12.00 on energy' };
    const report = {
      customers: 10,
      snoops: [
        {
          id: 'energy-switch',
          firedBefore: 1,
          firedAfter: 2,
          gained: 1,
          lost: 0,
          rescored: 0,
          scoreBandsBefore: new Array(10).fill(0),
          scoreBandsAfter: new Array(10).fill(0),
          samples: { gained: [sample], lost: [] },
        },
      ],
    };
    const answer = {
      previewId,
      outcome: { status: 'computed' as const, report, on: '2026-12-07', tookMs: 5 },
      computedAt: '2026-12-07T10:00:01.000Z',
    };
    expect(await previews.record(answer)).toBe('recorded');
    expect(await previews.record({ ...answer, outcome: { status: 'failed', reason: 'late' } })).toBe('answered');
    expect(await previews.record({ ...answer, previewId: '00000000-0000-4000-8000-0000000000ff' })).toBe('unknown');
    expect((await previews.read(writer, previewId)).report!.snoops[0]!.samples.gained).toEqual([sample]);
    const asReader = await previews.read(reader, previewId);
    expect(asReader).toMatchObject({ state: 'computed', report: { customers: 10 } });
    expect(asReader.report!.snoops[0]).toMatchObject({ gained: 1, samples: { gained: [], lost: [] } });
    expect(memory.store.records.get(previewId)!.report!.snoops[0]!.samples.gained).toEqual([sample]);
    await expect(previews.read(reader, '00000000-0000-4000-8000-0000000000ff')).rejects.toThrow(
      'there is no impact preview',
    );
  });

  it('marks the preview failed, and says so, when its request cannot be sent', async () => {
    const { memory } = setUp();
    const store = memoryDefinitionStore();
    await store.insert({ ...energy, version: 1 }, 'w');
    const withSnoop = impactPreviews({
      definitions: store,
      reviews: memoryReviewStore(catalogue),
      servedVersion: async () => undefined,
      previews: memory.store,
      queue: async () => {
        throw new Error('queue unreachable');
      },
      newId: () => '00000000-0000-4000-8000-000000000009',
      now: () => new Date('2026-12-07T10:00:00Z'),
    });
    await expect(withSnoop.request(writer, { snoopIds: ['energy-switch'] })).rejects.toThrow('queue unreachable');
    expect(memory.store.records.get('00000000-0000-4000-8000-000000000009')).toMatchObject({
      state: 'failed',
      reason: 'the request could not be sent to the customer store; ask again',
    });
  });
});
