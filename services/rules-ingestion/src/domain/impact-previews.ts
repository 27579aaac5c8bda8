/**
 * The impact preview before anything is published: rules-ingestion builds the two rules files (what is served now,
 * and what a change would serve; or two earlier publications), asks snoop-scheduler (the customer store's owner, over
 * its queue) to count what changes, and keeps the answer for the editor and the review. Nothing is published,
 * nothing is scored for real.
 */
import { storedSnoopSchema, type StoredSnoop } from '@backbone/rules-language';
import type { ImpactPreviewComputed, ImpactPreviewRequested } from '@backbone/snoop-scheduler/contracts';
import { requireRole, SnoopNotFoundError, type Actor, type DefinitionStore } from './definitions';
import { comparePublications, ReviewNotFoundError, UnpublishableError, type ReviewStore } from './reviews';
import { buildRuleSet } from './rule-set';

/** The customers counted when the request names no number: enough to be representative, quick to count. */
export const DEFAULT_PREVIEW_CUSTOMERS = 10_000;

export type ImpactPreviewState = 'pending' | 'computed' | 'failed';

export interface ImpactPreviewRecord {
  previewId: string;
  requestedBy: string;
  requestedAt: string;
  /** What was asked: the snoops, how many customers, and what each side is. */
  snoopIds: string[];
  customers: number | null;
  before: string;
  after: string;
  state: ImpactPreviewState;
  report?: Extract<ImpactPreviewComputed['outcome'], { status: 'computed' }>['report'];
  reason?: string;
  computedAt?: string;
  on: string;
}

export interface ImpactPreviewStore {
  add(record: Omit<ImpactPreviewRecord, 'requestedAt' | 'state'>): Promise<void>;
  get(previewId: string): Promise<ImpactPreviewRecord | undefined>;
  /** Keeps the answer; 'unknown' when no such preview was asked for, 'answered' when it was kept already. */
  answer(answer: ImpactPreviewComputed): Promise<'recorded' | 'answered' | 'unknown'>;
  /** Marks a preview failed when its request could not be sent. */
  fail(previewId: string, reason: string): Promise<void>;
}

/** snoop-scheduler's impact-previews queue. */
export type ImpactPreviewQueue = (request: ImpactPreviewRequested) => Promise<void>;

export interface ImpactPreviewPorts {
  definitions: DefinitionStore;
  reviews: Pick<ReviewStore, 'approved' | 'publicationDefinitions'>;
  /** The rule-set version served now (the latest publication); undefined before the first. */
  servedVersion(): Promise<string | undefined>;
  previews: ImpactPreviewStore;
  queue: ImpactPreviewQueue;
  newId(): string;
  now(): Date;
}

export type ImpactPreviewAsk =
  { snoopIds: string[]; customers?: number | null } | { from: string; to: string; customers?: number | null };

export class ImpactPreviewNotFoundError extends Error {
  override readonly name = 'ImpactPreviewNotFoundError';
}
/** The two sides hold the same snoops: nothing would change, so there is nothing to count. */
export class NothingToPreviewError extends Error {
  override readonly name = 'NothingToPreviewError';
}

/** A sample's explanations quote a customer's own amounts: shown to those who edit or approve snoops only. */
const maySeeSamples = (actor: Actor): boolean => actor.roles.has('rules:edit') || actor.roles.has('rules:approve');

function rulesFileOf(definitions: readonly StoredSnoop[], label: string): { label: string; rulesFile: string } {
  const built = buildRuleSet(definitions.filter((s) => s.status === 'active'));
  if (!built.ok) throw new UnpublishableError(built.errors);
  return { label, rulesFile: built.text };
}

export function impactPreviews(ports: ImpactPreviewPorts) {
  /** What is served now, as definitions: the latest publication's, or the approved ones when it kept none. */
  const served = async (): Promise<{ label: string; definitions: StoredSnoop[] } | undefined> => {
    const version = await ports.servedVersion();
    if (!version) return undefined;
    const kept = await ports.reviews.publicationDefinitions(version);
    return { label: version, definitions: kept ?? (await ports.reviews.approved()) };
  };

  /** The change: what is served now, with each named snoop's latest saved version in place (active unless retired). */
  const change = async (snoopIds: readonly string[]) => {
    const now = await served();
    const changed = await Promise.all(
      snoopIds.map(async (id) => {
        const revision = await ports.definitions.get(id);
        if (!revision) throw new SnoopNotFoundError(`there is no snoop "${id}"`);
        return storedSnoopSchema.parse({
          ...revision.snoop,
          status: revision.snoop.status === 'retired' ? 'retired' : 'active',
        });
      }),
    );
    const base = now?.definitions ?? [];
    const after = [...base.filter((s) => !snoopIds.includes(s.id)), ...changed];
    return {
      before: now ? rulesFileOf(now.definitions, now.label) : null,
      after: rulesFileOf(after, 'draft'),
      snoopIds: [...snoopIds],
    };
  };

  /** Two publications: every snoop one adds, removes or changes against the other. */
  const versions = async (from: string, to: string) => {
    const [before, after] = await Promise.all([from, to].map((v) => ports.reviews.publicationDefinitions(v)));
    const missing = [from, to].filter((_, i) => ![before, after][i]);
    if (missing.length > 0)
      throw new ReviewNotFoundError(
        `no definitions kept for ${missing.map((v) => v.slice(0, 12)).join(' and ')}: list the publications`,
      );
    const comparison = comparePublications(before!, after!);
    const snoopIds = [...comparison.added, ...comparison.removed, ...comparison.changed.map((c) => c.id)].sort();
    if (snoopIds.length === 0)
      throw new NothingToPreviewError(
        `${from.slice(0, 12)} and ${to.slice(0, 12)} hold the same snoops: there is no difference to count`,
      );
    return { before: rulesFileOf(before!, from), after: rulesFileOf(after!, to), snoopIds };
  };

  const read = async (actor: Actor, previewId: string): Promise<ImpactPreviewRecord> => {
    requireRole(actor, 'rules:read', 'see impact previews');
    const record = await ports.previews.get(previewId);
    if (!record) throw new ImpactPreviewNotFoundError(`there is no impact preview "${previewId}"`);
    if (!record.report || maySeeSamples(actor)) return record;
    return {
      ...record,
      report: {
        ...record.report,
        snoops: record.report.snoops.map((s) => ({ ...s, samples: { gained: [], lost: [] } })),
      },
    };
  };

  return {
    /** Asks for a preview; the answer arrives later (read it with `read`). */
    async request(actor: Actor, ask: ImpactPreviewAsk): Promise<ImpactPreviewRecord> {
      requireRole(actor, 'rules:read', 'preview the impact of a change');
      const sides = 'snoopIds' in ask ? await change(ask.snoopIds) : await versions(ask.from, ask.to);
      const customers = ask.customers === undefined ? DEFAULT_PREVIEW_CUSTOMERS : ask.customers;
      const request: ImpactPreviewRequested = {
        previewId: ports.newId(),
        ...sides,
        customers,
        on: ports.now().toISOString().slice(0, 10),
        samplesPerKind: 3,
      };
      await ports.previews.add({
        previewId: request.previewId,
        requestedBy: actor.name,
        snoopIds: request.snoopIds,
        customers,
        before: request.before?.label ?? '(nothing published)',
        after: request.after.label,
        on: request.on,
      });
      try {
        await ports.queue(request);
      } catch (error) {
        await ports.previews.fail(request.previewId, 'the request could not be sent to the customer store; ask again');
        throw error;
      }
      return read(actor, request.previewId);
    },

    read,

    /** snoop-scheduler's answer, kept (the consumer of the answers queue). */
    record: (answer: ImpactPreviewComputed) => ports.previews.answer(answer),
  };
}

export type ImpactPreviews = ReturnType<typeof impactPreviews>;
