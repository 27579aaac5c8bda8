/**
 * The snoop definitions as the people who write them handle them: list, read, create, change, retire, with the full
 * history of every snoop (who, when, what changed) and optimistic concurrency: a change says which version it was
 * made on, and one made on an old version is refused with what changed since, never saved over someone else's.
 *
 * Who may do what (the identity provider's groups):
 *   rules:read      list and read snoops and their history
 *   rules:edit      create drafts and change or retire snoops
 *   rules:approve   make a snoop active (until the review flow takes this over: approved by someone else)
 *   rules:publish   publish the active snoops as a rules file
 */
import {
  celToCondition,
  celToOperand,
  conditionToCel,
  operandToCel,
  storedSnoopSchema,
  type StoredSnoop,
} from '@backbone/rules-language';
import { fieldProblems } from '@backbone/shared';
import { buildRuleSet } from './rule-set';

export type RulesRole = 'rules:read' | 'rules:edit' | 'rules:approve' | 'rules:publish';

export interface Actor {
  /** As shown: a verified email, a user name. */
  name: string;
  /** Their stable id (the identity provider's subject): what the history is keyed on beside the name. */
  id?: string;
  roles: ReadonlySet<string>;
}

/** One saved version of a snoop, as the history keeps it. */
export interface SnoopRevision {
  snoop: StoredSnoop;
  savedBy: string;
  savedAt: string;
}

/** One field that differs between two versions; conditions and scores as CEL text, which people read. */
export interface FieldChange {
  field: keyof StoredSnoop;
  from?: unknown;
  to?: unknown;
}

/** Where the definitions live (PostgreSQL / Aurora). */
export interface DefinitionStore {
  list(): Promise<SnoopRevision[]>;
  get(id: string): Promise<SnoopRevision | undefined>;
  /** Every saved version of a snoop, oldest first. */
  history(id: string): Promise<SnoopRevision[]>;
  /** Saves a new snoop; 'exists' when one with its id is there already. */
  insert(snoop: StoredSnoop, savedBy: string): Promise<'inserted' | 'exists'>;
  /** Saves a snoop's next version only if the stored one is still `expectedVersion`. */
  update(snoop: StoredSnoop, expectedVersion: number, savedBy: string): Promise<'updated' | 'stale' | 'missing'>;
}

export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedError';
}
export class SnoopNotFoundError extends Error {
  override readonly name = 'SnoopNotFoundError';
}
export class SnoopExistsError extends Error {
  override readonly name = 'SnoopExistsError';
}
/** The definition is not one that can be saved: each problem names its field. */
export class InvalidDefinitionError extends Error {
  override readonly name = 'InvalidDefinitionError';
  constructor(readonly problems: readonly string[]) {
    super(`the snoop cannot be saved: ${problems.join('; ')}`);
  }
}
/** A change made on a version that is no longer the latest: what changed since, so it can be redone on top. */
export class StaleVersionError extends Error {
  override readonly name = 'StaleVersionError';
  constructor(
    readonly id: string,
    readonly expectedVersion: number,
    readonly current: SnoopRevision,
    readonly changesSince: readonly FieldChange[],
  ) {
    super(
      `snoop "${id}" is at version ${current.snoop.version}, not ${expectedVersion}: ${current.savedBy} saved it at ` +
        `${current.savedAt}, changing ${changesSince.map((c) => c.field).join(', ') || 'nothing you can see'}. ` +
        'Reload it, make your change again, and save it as a change to the newer version.',
    );
  }
}

/** Throws, naming the role to ask for, unless the actor has it. */
export function requireRole(actor: Actor, role: RulesRole, doing: string): void {
  if (!actor.roles.has(role))
    throw new AccessDeniedError(
      `${actor.name} may not ${doing}: it takes the role ${role} (ask the administrators of the staff sign-in to add it)`,
    );
}

/** What the text view shows and writes: the condition and the score as CEL. */
export interface SnoopText {
  when: string;
  score: string;
}

export const snoopText = (snoop: StoredSnoop): SnoopText => ({
  when: conditionToCel(snoop.condition),
  score: operandToCel(snoop.score),
});

const COMPARED: readonly (keyof StoredSnoop)[] = [
  'name',
  'status',
  'audience',
  'contentRef',
  'validFrom',
  'validTo',
  'condition',
  'score',
];

/** A field as a person reads it: a condition or a score as CEL. */
const readable = (snoop: StoredSnoop, field: keyof StoredSnoop): unknown =>
  field === 'condition' ? snoopText(snoop).when : field === 'score' ? snoopText(snoop).score : snoop[field];

/** The fields that differ from one version to the next (the version number itself aside). */
export function diffSnoops(before: StoredSnoop, after: StoredSnoop): FieldChange[] {
  return COMPARED.flatMap((field) => {
    const [from, to] = [readable(before, field), readable(after, field)];
    return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ field, from, to }];
  });
}

/** Every field a snoop has, as changes from nothing: what a new snoop brings. */
export const fieldsOf = (snoop: StoredSnoop): FieldChange[] =>
  COMPARED.flatMap((field) => (snoop[field] === undefined ? [] : [{ field, to: readable(snoop, field) }]));

/**
 * What a person sends to create or change a snoop: the stored fields, with the condition and score either as the
 * builder's structured form or as CEL text (`when`, `score` strings), whichever view they edited.
 */
export type SnoopInput = Partial<Omit<StoredSnoop, 'condition' | 'score' | 'version'>> & {
  condition?: unknown;
  score?: unknown;
  when?: string;
};

/** The input with a condition or score written as CEL (the text view's) in the stored form (the builder's). */
function fromText(input: Record<string, unknown>): Record<string, unknown> {
  const { when, ...out } = input;
  if (typeof when === 'string') out.condition = celToCondition(when);
  if (typeof out.score === 'string') out.score = celToOperand(out.score);
  return out;
}

/** The snoop if it can be saved (its shape, then the checks publishing makes), or every problem. */
function validated(candidate: Record<string, unknown>): StoredSnoop {
  let converted: Record<string, unknown>;
  try {
    converted = fromText(candidate);
  } catch (error) {
    throw new InvalidDefinitionError([error instanceof Error ? error.message : String(error)]);
  }
  const parsed = storedSnoopSchema.safeParse(converted);
  if (!parsed.success)
    throw new InvalidDefinitionError(
      fieldProblems(parsed.error.issues, '', '(snoop)').map(({ field, message }) => `${field}: ${message}`),
    );
  const built = buildRuleSet([parsed.data]);
  if (!built.ok) throw new InvalidDefinitionError(built.errors.map((e) => e.message));
  return parsed.data;
}

export interface SnoopHistoryEntry {
  version: number;
  savedBy: string;
  savedAt: string;
  /** Against the version before it; for the first, every field it was created with. */
  changes: FieldChange[];
}

/** The definitions API's operations, each checking the caller's role first. */
export function snoopDefinitions(store: DefinitionStore) {
  /** A revision as people see it: with its condition and score as CEL too. */
  const shown = (revision: SnoopRevision) => ({ ...revision, text: snoopText(revision.snoop) });

  const current = async (id: string): Promise<SnoopRevision> => {
    const found = await store.get(id);
    if (!found) throw new SnoopNotFoundError(`there is no snoop "${id}"; list them to see their ids`);
    return found;
  };

  const staleError = async (id: string, expectedVersion: number): Promise<StaleVersionError> => {
    const revisions = await store.history(id);
    const latest = revisions.at(-1)!;
    const base = revisions.find((r) => r.snoop.version === expectedVersion);
    return new StaleVersionError(id, expectedVersion, latest, base ? diffSnoops(base.snoop, latest.snoop) : []);
  };

  const operations = {
    async list(actor: Actor) {
      requireRole(actor, 'rules:read', 'list snoops');
      return (await store.list()).map(({ snoop, savedBy, savedAt }) => ({
        id: snoop.id,
        name: snoop.name,
        status: snoop.status,
        version: snoop.version,
        savedBy,
        savedAt,
      }));
    },

    async read(actor: Actor, id: string) {
      requireRole(actor, 'rules:read', 'read snoops');
      return shown(await current(id));
    },

    /** A new snoop, always a draft: it becomes active by approval. */
    async create(actor: Actor, input: SnoopInput) {
      requireRole(actor, 'rules:edit', 'create snoops');
      const snoop = validated({ ...input, status: 'draft', version: 1 });
      if ((await store.insert(snoop, actor.name)) === 'exists')
        throw new SnoopExistsError(`a snoop "${snoop.id}" exists already: change it, or choose another id`);
      return shown(await current(snoop.id));
    },

    /** The snoop's next version, made on `expectedVersion` (the one the person was looking at). */
    async change(actor: Actor, id: string, expectedVersion: number, input: SnoopInput) {
      requireRole(actor, 'rules:edit', 'change snoops');
      const before = await current(id);
      if (input.status === 'active' && before.snoop.status !== 'active')
        requireRole(actor, 'rules:approve', 'make a snoop active');
      if (before.snoop.version !== expectedVersion) throw await staleError(id, expectedVersion);
      const snoop = validated({ ...before.snoop, ...input, id, version: expectedVersion + 1 });
      const saved = await store.update(snoop, expectedVersion, actor.name);
      if (saved === 'missing') throw new SnoopNotFoundError(`snoop "${id}" was removed while you changed it`);
      // Someone saved between the read above and this write: the database's condition caught it.
      if (saved === 'stale') throw await staleError(id, expectedVersion);
      return shown(await current(id));
    },

    retire: (actor: Actor, id: string, expectedVersion: number) =>
      operations.change(actor, id, expectedVersion, { status: 'retired' }),

    async history(actor: Actor, id: string): Promise<SnoopHistoryEntry[]> {
      requireRole(actor, 'rules:read', 'read the history of snoops');
      const revisions = await store.history(id);
      if (revisions.length === 0) throw new SnoopNotFoundError(`there is no snoop "${id}"`);
      return revisions.map((revision, i) => ({
        version: revision.snoop.version,
        savedBy: revision.savedBy,
        savedAt: revision.savedAt,
        changes: i === 0 ? fieldsOf(revision.snoop) : diffSnoops(revisions[i - 1]!.snoop, revision.snoop),
      }));
    },
  };
  return operations;
}

export type SnoopDefinitions = ReturnType<typeof snoopDefinitions>;
