import { readFileSync } from 'node:fs';
import type { StoredSnoop } from '@backbone/rules-language';
import { SEED_CATALOGUE } from '../cli';
import {
  AccessDeniedError,
  diffSnoops,
  InvalidDefinitionError,
  snoopDefinitions,
  SnoopExistsError,
  SnoopNotFoundError,
  StaleVersionError,
  type Actor,
  type DefinitionStore,
} from './definitions';
import { editableFields, memoryDefinitionStore } from './definitions.fixtures';

const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredSnoop[];
const energy = catalogue.find((s) => s.id === 'energy-switch')!;
const energyFields = editableFields(energy);

const person = (name: string, ...roles: string[]): Actor => ({ name, roles: new Set(roles) });
const editor = person('edith', 'rules:read', 'rules:edit');
const other = person('omar', 'rules:read', 'rules:edit');
const approver = person('april', 'rules:read', 'rules:edit', 'rules:approve');
const reader = person('rita', 'rules:read');

const setUp = () => {
  const store = memoryDefinitionStore();
  return { store, definitions: snoopDefinitions(store) };
};
const caught = async <T>(promise: Promise<unknown>): Promise<T> => (await promise.catch((e: unknown) => e)) as T;

describe('snoop definitions', () => {
  it('creates every new snoop as a draft at version 1, whatever status it was sent with', async () => {
    const { definitions } = setUp();
    const created = await definitions.create(editor, { ...energyFields, id: 'new', status: 'active' });
    expect(created).toEqual({
      snoop: { ...energy, id: 'new', status: 'draft', version: 1 },
      savedBy: 'edith',
      savedAt: '2026-12-07T10:00:00.000Z',
      text: { when: expect.stringContaining('t.category == "energy"'), score: expect.stringMatching(/^min/) },
    });
    await expect(definitions.create(other, { ...energyFields, id: 'new' })).rejects.toThrow(
      new SnoopExistsError('a snoop "new" exists already: change it, or choose another id'),
    );
  });

  it('lists and reads, the condition and score as CEL', async () => {
    const { definitions } = setUp();
    await definitions.create(editor, { ...energyFields, id: 'b' });
    await definitions.create(editor, { ...energyFields, id: 'a', name: 'A' });
    expect(await definitions.list(reader)).toEqual([
      { id: 'a', name: 'A', status: 'draft', version: 1, savedBy: 'edith', savedAt: '2026-12-07T10:00:00.000Z' },
      {
        id: 'b',
        name: energy.name,
        status: 'draft',
        version: 1,
        savedBy: 'edith',
        savedAt: '2026-12-07T10:00:00.000Z',
      },
    ]);
    const read = await definitions.read(reader, 'a');
    expect(read.text).toEqual({
      when: expect.stringContaining('sum(transactions.filter(t,'),
      score: expect.stringMatching(/^min\(1\.0, /),
    });
    await expect(definitions.read(reader, 'zzz')).rejects.toThrow(
      new SnoopNotFoundError('there is no snoop "zzz"; list them to see their ids'),
    );
  });

  it('takes a condition and a score written as CEL, as the text view sends them', async () => {
    const { definitions } = setUp();
    await definitions.create(editor, { ...energyFields, id: 'cel' });
    const changed = await definitions.change(editor, 'cel', 1, { when: 'profile.age >= 21.0', score: '0.25' });
    expect(changed.snoop.condition).toEqual({ compare: [{ field: 'profile.age' }, '>=', { value: 21 }] });
    expect(changed.snoop.score).toEqual({ value: 0.25 });
    await expect(definitions.change(editor, 'cel', 2, { when: 'profile.age >=' })).rejects.toThrow(
      InvalidDefinitionError,
    );
  });

  it('refuses a change made on an old version, with who saved the newer one and what they changed', async () => {
    const { definitions } = setUp();
    await definitions.create(editor, { ...energyFields, id: 's' });
    await definitions.change(editor, 's', 1, { name: 'Renamed', audience: 'renters' });
    const error = await caught<StaleVersionError>(definitions.change(other, 's', 1, { name: 'Mine' }));
    expect(error).toBeInstanceOf(StaleVersionError);
    expect(error.changesSince).toEqual([
      { field: 'name', from: energy.name, to: 'Renamed' },
      { field: 'audience', from: energy.audience, to: 'renters' },
    ]);
    expect(error.message).toBe(
      'snoop "s" is at version 2, not 1: edith saved it at 2026-12-07T10:00:00.000Z, changing name, audience. ' +
        'Reload it, make your change again, and save it as a change to the newer version.',
    );
  });

  it('refuses a save the store finds stale (someone saved between the read and the write)', async () => {
    const { store } = setUp();
    await snoopDefinitions(store).create(editor, { ...energyFields, id: 'r' });
    // The store sees someone else's save land first.
    const racing: DefinitionStore = {
      ...store,
      update: async (snoop, expected, by) => {
        await store.update({ ...snoop, name: 'Theirs' }, expected, 'omar');
        return store.update(snoop, expected, by);
      },
    };
    const error = await caught<StaleVersionError>(snoopDefinitions(racing).change(editor, 'r', 1, { name: 'Mine' }));
    expect(error).toBeInstanceOf(StaleVersionError);
    expect(error.current.savedBy).toBe('omar');
    const gone: DefinitionStore = { ...store, update: async () => 'missing' };
    await expect(snoopDefinitions(gone).change(editor, 'r', 2, { name: 'x' })).rejects.toThrow(
      new SnoopNotFoundError('snoop "r" was removed while you changed it'),
    );
  });

  it('keeps the history: the first version whole, each later one as its changes', async () => {
    const { definitions } = setUp();
    await definitions.create(editor, { ...energyFields, id: 'h', validTo: '2027-01-01' });
    await definitions.change(other, 'h', 1, { score: '0.5' });
    await definitions.retire(editor, 'h', 2);
    const history = await definitions.history(reader, 'h');
    expect(history[0]).toEqual({
      version: 1,
      savedBy: 'edith',
      savedAt: '2026-12-07T10:00:00.000Z',
      changes: [
        { field: 'name', to: energy.name },
        { field: 'status', to: 'draft' },
        { field: 'audience', to: energy.audience },
        { field: 'contentRef', to: energy.contentRef },
        { field: 'validFrom', to: energy.validFrom },
        { field: 'validTo', to: '2027-01-01' },
        { field: 'condition', to: expect.stringContaining('transactions') },
        { field: 'score', to: expect.stringMatching(/^min/) },
      ],
    });
    expect(history.slice(1)).toEqual([
      {
        version: 2,
        savedBy: 'omar',
        savedAt: expect.any(String),
        changes: [expect.objectContaining({ field: 'score', to: '0.5' })],
      },
      {
        version: 3,
        savedBy: 'edith',
        savedAt: expect.any(String),
        changes: [{ field: 'status', from: 'draft', to: 'retired' }],
      },
    ]);
    await expect(definitions.history(reader, 'none')).rejects.toThrow(
      new SnoopNotFoundError('there is no snoop "none"'),
    );
  });

  it('asks for the right role for each operation', async () => {
    const { definitions } = setUp();
    const nobody = person('nobody');
    await definitions.create(editor, { ...energyFields, id: 'x' });
    const refusals = [
      [definitions.list(nobody), 'nobody may not list snoops: it takes the role rules:read'],
      [definitions.read(nobody, 'x'), 'nobody may not read snoops: it takes the role rules:read'],
      [definitions.history(nobody, 'x'), 'nobody may not read the history of snoops: it takes the role rules:read'],
      [
        definitions.create(reader, { ...energyFields, id: 'y' }),
        'rita may not create snoops: it takes the role rules:edit',
      ],
      [definitions.change(reader, 'x', 1, { name: 'n' }), 'rita may not change snoops: it takes the role rules:edit'],
      [
        definitions.change(editor, 'x', 1, { status: 'active' }),
        'edith may not make a snoop active: it takes the role rules:approve',
      ],
    ] as const;
    for (const [promise, message] of refusals) {
      const error = await caught<AccessDeniedError>(promise);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.message).toBe(`${message} (ask the administrators of the staff sign-in to add it)`);
    }
    expect((await definitions.change(approver, 'x', 1, { status: 'active' })).snoop.status).toBe('active');
    // Changing an active snoop needs no approval role (the review flow will check it is approved before publishing).
    expect((await definitions.change(editor, 'x', 2, { name: 'still active' })).snoop.status).toBe('active');
  });

  it('says which fields of a definition are wrong', async () => {
    const { definitions } = setUp();
    const error = await caught<InvalidDefinitionError>(
      definitions.create(editor, { ...energyFields, id: 'ok', name: '', validFrom: '2026-13-01' }),
    );
    expect(error.problems).toEqual([expect.stringMatching(/^name: /), expect.stringMatching(/^validFrom: /)]);
    expect(error.message).toMatch(/^the snoop cannot be saved: name: .*; validFrom: /);
  });
});

describe('diffSnoops', () => {
  it('names each field that differs, conditions and scores as CEL, and nothing when they are the same', () => {
    expect(diffSnoops(energy, { ...energy, version: 9 })).toEqual([]);
    expect(diffSnoops(energy, { ...energy, validTo: '2027-01-01', score: { value: 0.5 } })).toEqual([
      { field: 'validTo', from: undefined, to: '2027-01-01' },
      { field: 'score', from: expect.stringMatching(/^min/), to: '0.5' },
    ]);
  });
});
