import type { StoredSnoop } from '@backbone/rules-language';
import type { DefinitionStore, SnoopRevision } from './definitions';

/**
 * The definitions in memory, with the PostgreSQL store's contract (a conditional update on the version, every saved
 * version kept): for the unit tests of the operations. `clock` stamps each save.
 */
export function memoryDefinitionStore(clock: () => Date = () => new Date('2026-12-07T10:00:00.000Z')) {
  const saved = new Map<string, SnoopRevision[]>();
  const latest = (id: string) => saved.get(id)?.at(-1);
  const keep = (snoop: StoredSnoop, savedBy: string) =>
    saved.set(snoop.id, [...(saved.get(snoop.id) ?? []), { snoop, savedBy, savedAt: clock().toISOString() }]);
  const store: DefinitionStore & { saved: typeof saved } = {
    saved,
    list: async () => [...saved.keys()].sort().map((id) => latest(id)!),
    get: async (id) => latest(id),
    history: async (id) => saved.get(id) ?? [],
    async insert(snoop, savedBy) {
      if (saved.has(snoop.id)) return 'exists';
      keep(snoop, savedBy);
      return 'inserted';
    },
    async update(snoop, expectedVersion, savedBy) {
      const current = latest(snoop.id);
      if (!current) return 'missing';
      if (current.snoop.version !== expectedVersion) return 'stale';
      keep(snoop, savedBy);
      return 'updated';
    },
  };
  return store;
}

/** What a person fills in for a new snoop: a stored one's fields without its id, status and version. */
export function editableFields(snoop: StoredSnoop): Omit<StoredSnoop, 'id' | 'status' | 'version'> {
  const fields: Partial<StoredSnoop> = { ...snoop };
  delete fields.id;
  delete fields.status;
  delete fields.version;
  return fields as Omit<StoredSnoop, 'id' | 'status' | 'version'>;
}
