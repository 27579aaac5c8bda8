/**
 * Review and publish (maker-checker): a writer submits a snoop's version for review; someone with `rules:approve`
 * other than its author approves it or sends it back with a comment. Approval makes that version the approved one
 * and, in the same transaction, asks for a publication (the outbox): the rules file is published from the approved
 * definitions only, by the relay (relayRuleSetOutbox), never by the person. Any earlier publication can be restored
 * in one action, through the same path. Every step is recorded with who and when.
 */
import { storedSnoopSchema, type StoredSnoop } from '@backbone/rules-language';
import {
  AccessDeniedError,
  diffSnoops,
  fieldsOf,
  requireRole,
  SnoopNotFoundError,
  snoopText,
  StaleVersionError,
} from './definitions';
import type { Actor, DefinitionStore, FieldChange, SnoopText } from './definitions';
import { buildRuleSet, type PublishOutcome, type ValidationError } from './rule-set';

export type ReviewState = 'pending' | 'approved' | 'sent-back';

export interface Review {
  reviewId: string;
  snoopId: string;
  version: number;
  /** The definition as submitted, as it will be published: active, unless it retires the snoop. */
  snoop: StoredSnoop;
  submittedBy: string;
  submittedAt: string;
  note?: string;
  state: ReviewState;
  decidedBy?: string;
  decidedAt?: string;
  comment?: string;
}

export interface Publication {
  ruleSetVersion: string;
  ruleCount: number;
  publishedBy: string;
  publishedAt: string;
  /** Whether it holds the definitions it was made of (a publication from before reviews does not). */
  restorable: boolean;
}

/** Where reviews, the approved definitions and the outbox live (PostgreSQL / Aurora), each change one transaction. */
export interface ReviewStore {
  add(review: Omit<Review, 'submittedAt' | 'state'>): Promise<'added' | 'duplicate'>;
  get(reviewId: string): Promise<Review | undefined>;
  list(state?: ReviewState): Promise<Review[]>;
  /** The approved definitions (what the next rules file holds). */
  approved(): Promise<StoredSnoop[]>;
  /** The review approved, its definition the approved one, and an outbox row: one transaction. */
  approve(reviewId: string, decidedBy: string, comment: string, reason: string): Promise<'approved' | 'not-pending'>;
  sendBack(reviewId: string, decidedBy: string, comment: string): Promise<'sent-back' | 'not-pending'>;
  publications(): Promise<Publication[]>;
  /** The definitions a publication was made of; undefined when unknown or made before they were kept. */
  publicationDefinitions(ruleSetVersion: string): Promise<StoredSnoop[] | undefined>;
  /** The approved definitions replaced by those a publication was made of, and an outbox row: one transaction. */
  restore(
    ruleSetVersion: string,
    requestedBy: string,
    reason: string,
  ): Promise<'queued' | 'unknown' | 'not-restorable'>;
}

export class ReviewNotFoundError extends Error {
  override readonly name = 'ReviewNotFoundError';
}
/** The review was decided already (by someone else, meanwhile): nothing changed. */
export class ReviewDecidedError extends Error {
  override readonly name = 'ReviewDecidedError';
}
/** Approving would leave the approved definitions unpublishable: every problem, nothing changed. */
export class UnpublishableError extends Error {
  override readonly name = 'UnpublishableError';
  constructor(readonly problems: readonly ValidationError[]) {
    super(`approving it would make the rules file invalid: ${problems.map((p) => p.message).join('; ')}`);
  }
}

/** How a review is shown: with its condition and score as text and what it changes against what is approved now. */
export interface ReviewView extends Review {
  text: SnoopText;
  changes: FieldChange[];
}

export function snoopReviews(definitions: DefinitionStore, reviews: ReviewStore, newId: () => string) {
  const view = async (review: Review): Promise<ReviewView> => {
    const approved = (await reviews.approved()).find((s) => s.id === review.snoopId);
    return {
      ...review,
      text: snoopText(review.snoop),
      // A snoop never approved before: everything it brings.
      changes: approved ? diffSnoops(approved, review.snoop) : fieldsOf(review.snoop),
    };
  };
  const found = async (reviewId: string): Promise<Review> => {
    const review = await reviews.get(reviewId);
    if (!review) throw new ReviewNotFoundError(`there is no review "${reviewId}"; list the reviews to see theirs`);
    return review;
  };
  const decided = (review: Review) =>
    new ReviewDecidedError(
      `review ${review.reviewId} was ${review.state === 'approved' ? 'approved' : 'sent back'} already` +
        `${review.decidedBy ? ` by ${review.decidedBy}` : ''}: nothing changed`,
    );

  return {
    /** Submits the snoop's current version (the one the writer was looking at) for review. */
    async submit(actor: Actor, snoopId: string, expectedVersion: number, note?: string): Promise<ReviewView> {
      requireRole(actor, 'rules:edit', 'submit snoops for review');
      const current = await definitions.get(snoopId);
      if (!current) throw new SnoopNotFoundError(`there is no snoop "${snoopId}"`);
      if (current.snoop.version !== expectedVersion) throw new StaleVersionError(snoopId, expectedVersion, current, []);
      const snoop = storedSnoopSchema.parse({
        ...current.snoop,
        status: current.snoop.status === 'retired' ? 'retired' : 'active',
      });
      const review = {
        reviewId: newId(),
        snoopId,
        version: expectedVersion,
        snoop,
        submittedBy: actor.name,
        ...(note ? { note } : {}),
      };
      if ((await reviews.add(review)) === 'duplicate')
        throw new ReviewDecidedError(
          `version ${expectedVersion} of "${snoopId}" was submitted already: see its review`,
        );
      return view(await found(review.reviewId));
    },

    async list(actor: Actor, state?: ReviewState): Promise<ReviewView[]> {
      requireRole(actor, 'rules:read', 'see reviews');
      return Promise.all((await reviews.list(state)).map(view));
    },

    async read(actor: Actor, reviewId: string): Promise<ReviewView> {
      requireRole(actor, 'rules:read', 'see reviews');
      return view(await found(reviewId));
    },

    /**
     * Approves a review (publication follows through the outbox) or sends it back with a comment. Never the
     * author's own: a second person checks every change.
     */
    async decide(
      actor: Actor,
      reviewId: string,
      decision: 'approve' | 'send-back',
      comment: string,
    ): Promise<ReviewView> {
      requireRole(actor, 'rules:approve', 'approve or send back snoops');
      const review = await found(reviewId);
      if (review.submittedBy === actor.name)
        throw new AccessDeniedError(
          `${actor.name} submitted this change: someone else with rules:approve must decide it`,
        );
      if (review.state !== 'pending') throw decided(review);
      if (decision === 'send-back') {
        if (comment.trim().length < 3) throw new AccessDeniedError('say why it goes back: a comment of a few words');
        if ((await reviews.sendBack(reviewId, actor.name, comment.trim())) !== 'sent-back')
          throw decided(await found(reviewId));
        return view(await found(reviewId));
      }
      // The approved definitions with this one in place must still make a valid rules file.
      const next = [...(await reviews.approved()).filter((s) => s.id !== review.snoopId), review.snoop];
      const built = buildRuleSet(next.filter((s) => s.status === 'active'));
      if (!built.ok) throw new UnpublishableError(built.errors);
      const reason = `approved "${review.snoopId}" version ${review.version} (submitted by ${review.submittedBy})`;
      if ((await reviews.approve(reviewId, actor.name, comment.trim(), reason)) !== 'approved')
        throw decided(await found(reviewId));
      return view(await found(reviewId));
    },

    async publications(actor: Actor): Promise<Publication[]> {
      requireRole(actor, 'rules:read', 'see publications');
      return reviews.publications();
    },

    /**
     * Two publications side by side, snoop by snoop: those only in one, and for those in both what changed (conditions
     * and scores as text); how many are the same.
     */
    async compare(actor: Actor, from: string, to: string): Promise<PublicationComparison> {
      requireRole(actor, 'rules:read', 'compare publications');
      const [before, after] = await Promise.all([from, to].map((v) => reviews.publicationDefinitions(v)));
      const missing = [from, to].filter((_, i) => ![before, after][i]);
      if (missing.length > 0)
        throw new ReviewNotFoundError(
          `no definitions kept for ${missing.map((v) => v.slice(0, 12)).join(' and ')}: list the publications`,
        );
      return comparePublications(before!, after!);
    },

    /** Serves an earlier publication again: its definitions become the approved ones, published by the relay. */
    async restore(actor: Actor, ruleSetVersion: string): Promise<{ ruleSetVersion: string; queued: true }> {
      requireRole(actor, 'rules:publish', 'restore an earlier publication');
      const outcome = await reviews.restore(
        ruleSetVersion,
        actor.name,
        `restored ${ruleSetVersion.slice(0, 12)} by ${actor.name}`,
      );
      if (outcome === 'unknown')
        throw new ReviewNotFoundError(`no publication ${ruleSetVersion}: list the publications`);
      if (outcome === 'not-restorable')
        throw new ReviewDecidedError(
          `publication ${ruleSetVersion} was made before publications kept their definitions`,
        );
      return { ruleSetVersion, queued: true };
    },
  };
}

export type SnoopReviews = ReturnType<typeof snoopReviews>;

export interface PublicationComparison {
  added: string[];
  removed: string[];
  changed: { id: string; changes: FieldChange[] }[];
  unchanged: number;
}

/** Snoop by snoop, what one set of definitions changes against another. */
export function comparePublications(
  before: readonly StoredSnoop[],
  after: readonly StoredSnoop[],
): PublicationComparison {
  const was = new Map(before.map((s) => [s.id, s]));
  const now = new Map(after.map((s) => [s.id, s]));
  const changed = [...now.values()].flatMap((snoop) => {
    const old = was.get(snoop.id);
    const changes = old ? diffSnoops(old, snoop) : [];
    return changes.length > 0 ? [{ id: snoop.id, changes }] : [];
  });
  return {
    added: [...now.keys()].filter((id) => !was.has(id)).sort(),
    removed: [...was.keys()].filter((id) => !now.has(id)).sort(),
    changed: changed.sort((a, b) => a.id.localeCompare(b.id)),
    unchanged: [...now.keys()].filter((id) => was.has(id)).length - changed.length,
  };
}

/** A row of the outbox: what asked for a publication, and who. */
export interface OutboxRequest {
  reason: string;
  requestedBy: string;
}

/** The outbox as the relay sees it. */
export interface RuleSetOutbox {
  /**
   * Runs `publish` for the rows waiting, oldest first, and marks them done with its outcome, in one transaction
   * with the rows locked (another relay skips them); `publish` is not called when none waits.
   */
  drain(
    publish: (requests: OutboxRequest[]) => Promise<PublishOutcome>,
  ): Promise<{ rows: number; outcome?: PublishOutcome }>;
}

/** Who a publication names: the people whose approvals or restores it carries (at most 128 characters). */
export const publishedByOf = (requests: readonly OutboxRequest[]): string =>
  [...new Set(requests.map((r) => r.requestedBy))].join(', ').slice(0, 128);

/**
 * The relay: publishes the approved definitions when an approval or a restore asks for it. Idempotent (the same
 * definitions give the same version, published once), in order (each run publishes everything approved before it),
 * and catching up (rows wait until a run publishes them, however long the relay was away).
 */
export const relayRuleSetOutbox = (
  outbox: RuleSetOutbox,
  publish: (publishedBy: string) => Promise<PublishOutcome>,
): Promise<{ rows: number; outcome?: PublishOutcome }> => outbox.drain((requests) => publish(publishedByOf(requests)));
