/**
 * The definitions API's operations against the local PostgreSQL, in a schema of their own: drafts, changes made on
 * the version they were made on (a stale one refused with what changed since, two saves racing on one version: one
 * wins), the history with who, when and what, retiring, and each role refused what it may not do.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { migrate } from '../../src/adapters/migrations';
import { createPostgresDefinitionStore, type StoredDefinitionRow } from '../../src/adapters/postgres';
import { SEED_CATALOGUE } from '../../src/cli';
import {
  AccessDeniedError,
  InvalidDefinitionError,
  snoopDefinitions,
  SnoopExistsError,
  StaleVersionError,
  type Actor,
  type SnoopDefinitions,
} from '../../src/domain/definitions';
import { editableFields } from '../../src/domain/definitions.fixtures';
import type { StoredSnoop } from '@backbone/rules-language';

const SCHEMA = `it_definitions_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const catalogue = JSON.parse(readFileSync(SEED_CATALOGUE, 'utf8')) as StoredDefinitionRow[];
const energy = catalogue.find((s) => s.id === 'energy-switch')!;

const person = (name: string, ...roles: string[]): Actor => ({ name, id: `sub-${name}`, roles: new Set(roles) });
const editor = person('edith@example.com', 'rules:read', 'rules:edit');
const otherEditor = person('omar@example.com', 'rules:read', 'rules:edit');
const approver = person('april@example.com', 'rules:read', 'rules:edit', 'rules:approve');
const reader = person('rita@example.com', 'rules:read');

let pool: PostgresPool;
let definitions: SnoopDefinitions;

const newDraft = (id: string) => ({ ...editableFields(energy as StoredSnoop), id });

beforeAll(async () => {
  const pg = loadConfig(postgresEnvironmentSchema);
  await migrate(pg, { schema: SCHEMA });
  pool = createPostgresPool(pg);
  pool.on('connect', (client) => void client.query(`SET search_path TO ${SCHEMA}`));
  definitions = snoopDefinitions(createPostgresDefinitionStore(pool));
});

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await pool.end();
});

describe('snoop definitions in PostgreSQL', () => {
  it('creates a draft, reads it back with its condition as CEL, and lists it', async () => {
    const created = await definitions.create(editor, newDraft('energy-draft'));
    expect(created.snoop).toMatchObject({ id: 'energy-draft', status: 'draft', version: 1 });
    expect(created.savedBy).toBe(editor.name);
    const read = await definitions.read(reader, 'energy-draft');
    expect(read.text.when).toContain('t.category == "energy"');
    expect((await definitions.list(reader)).map((s) => [s.id, s.status, s.version])).toEqual([
      ['energy-draft', 'draft', 1],
    ]);
    await expect(definitions.create(editor, newDraft('energy-draft'))).rejects.toThrow(SnoopExistsError);
  });

  it('saves a change made on the latest version, and refuses one made on an older one with what changed since', async () => {
    await definitions.create(editor, newDraft('threshold'));
    const first = await definitions.change(editor, 'threshold', 1, { name: 'Energy spend is high' });
    expect(first.snoop.version).toBe(2);
    // Omar still has version 1 open and lowers the threshold, in CEL, as the text view writes it.
    const stale = definitions.change(otherEditor, 'threshold', 1, {
      when: 'sum(transactions.filter(t, t.daysAgo <= 90.0 && t.category == "energy").map(t, t.amount)) > 150.0',
    });
    await expect(stale).rejects.toThrow(StaleVersionError);
    const error = (await stale.catch((e: unknown) => e)) as StaleVersionError;
    expect(error.current.snoop.version).toBe(2);
    expect(error.current.savedBy).toBe(editor.name);
    expect(error.changesSince).toEqual([{ field: 'name', from: energy.name, to: 'Energy spend is high' }]);
    expect(error.message).toMatch(/is at version 2, not 1: edith@example.com saved it at .*changing name/);
    // On the new version, his change goes in.
    const redone = await definitions.change(otherEditor, 'threshold', 2, {
      when: 'sum(transactions.filter(t, t.daysAgo <= 90.0 && t.category == "energy").map(t, t.amount)) > 150.0',
    });
    expect(redone.snoop.version).toBe(3);
    expect((await definitions.read(reader, 'threshold')).text.when).toContain('> 150.0');
  });

  it('lets exactly one of two saves racing on the same version win', async () => {
    await definitions.create(editor, newDraft('race'));
    const outcomes = await Promise.allSettled([
      definitions.change(editor, 'race', 1, { audience: 'homeowners' }),
      definitions.change(otherEditor, 'race', 1, { audience: 'renters' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
    expect(refused.reason).toBeInstanceOf(StaleVersionError);
    expect((await definitions.read(reader, 'race')).snoop.version).toBe(2);
  });

  it('keeps every version: who, when and what changed, conditions as CEL', async () => {
    await definitions.create(editor, newDraft('history'));
    await definitions.change(otherEditor, 'history', 1, { score: '0.9' });
    await definitions.retire(editor, 'history', 2);
    const history = await definitions.history(reader, 'history');
    expect(history.map((h) => [h.version, h.savedBy])).toEqual([
      [1, editor.name],
      [2, otherEditor.name],
      [3, editor.name],
    ]);
    expect(history[0]!.changes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['name', 'status', 'condition', 'score']),
    );
    expect(history[1]!.changes).toEqual([{ field: 'score', from: expect.any(String), to: '0.9' }]);
    expect(history[2]!.changes).toEqual([{ field: 'status', from: 'draft', to: 'retired' }]);
    for (const entry of history) expect(Date.parse(entry.savedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses each role what it may not do, naming the role to ask for', async () => {
    await expect(definitions.create(reader, newDraft('not-mine'))).rejects.toThrow(
      'rita@example.com may not create snoops: it takes the role rules:edit',
    );
    await definitions.create(editor, newDraft('to-activate'));
    await expect(definitions.change(editor, 'to-activate', 1, { status: 'active' })).rejects.toThrow(AccessDeniedError);
    const active = await definitions.change(approver, 'to-activate', 1, { status: 'active' });
    expect(active.snoop.status).toBe('active');
    await expect(definitions.list(person('nobody@example.com'))).rejects.toThrow(/takes the role rules:read/);
  });

  it('refuses a definition that cannot be saved, saying what is wrong with each part', async () => {
    const refused = definitions.create(editor, { ...newDraft('Bad Id'), validFrom: 'yesterday' });
    await expect(refused).rejects.toThrow(InvalidDefinitionError);
    const problems = ((await refused.catch((e: unknown) => e)) as InvalidDefinitionError).problems;
    expect(problems).toEqual([expect.stringMatching(/^id: a lowercase slug/), expect.stringMatching(/^validFrom: /)]);
    await definitions.create(editor, newDraft('typed'));
    await expect(definitions.change(editor, 'typed', 1, { when: 'profile.region > 3.0' })).rejects.toThrow(
      /cannot be saved: .*">" needs two numbers, two strings or two booleans, not a string and a number/,
    );
    expect((await definitions.read(reader, 'typed')).snoop.version).toBe(1);
  });
});
