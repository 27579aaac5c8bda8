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

/** Scheduled: approved, waiting for its time to become the approved definition and be published. */
export type ReviewState = 'pending' | 'approved' | 'scheduled' | 'sent-back';

export interface Review {
  reviewId: string;
  snoopId: string;
  version: number;
  /** The definition as submitted, as it will be published: active, unless it retires the snoop. */
  snoop: StoredSnoop;
  submittedBy: string;
  submittedAt: string;
  note?: string;
  /** The impact preview the writer submitted it with. */
  impactPreviewId?: string;
  state: ReviewState;
  /** When a scheduled approval takes effect. */
  publishAt?: string;
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
  /** The review approved to take effect at `publishAt`: nothing else changes until then (promoteScheduled). */
  schedule(
    reviewId: string,
    decidedBy: string,
    comment: string,
    publishAt: string,
  ): Promise<'scheduled' | 'not-pending'>;
  /** Sends back a pending review, or cancels a scheduled one, with the comment. */
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

export function snoopReviews(
  definitions: DefinitionStore,
  reviews: ReviewStore,
  newId: () => string,
  now: () => Date = () => new Date(),
) {
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
      `review ${review.reviewId} was ${{ approved: 'approved', scheduled: `scheduled for ${review.publishAt ?? 'later'}`, 'sent-back': 'sent back', pending: 'pending' }[review.state]} already` +
        `${review.decidedBy ? ` by ${review.decidedBy}` : ''}: nothing changed`,
    );

  return {
    /** Submits the snoop's current version (the one the writer was looking at) for review. */
    async submit(
      actor: Actor,
      snoopId: string,
      expectedVersion: number,
      note?: string,
      impactPreviewId?: string,
    ): Promise<ReviewView> {
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
        ...(impactPreviewId ? { impactPreviewId } : {}),
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
     * Approves a review (publication follows through the outbox), now or from `publishAt`, or sends it back with a
     * comment (a scheduled one too: that cancels it). Never the author's own: a second person checks every change.
     */
    async decide(
      actor: Actor,
      reviewId: string,
      decision: 'approve' | 'send-back',
      comment: string,
      publishAt?: string,
    ): Promise<ReviewView> {
      requireRole(actor, 'rules:approve', 'approve or send back snoops');
      const review = await found(reviewId);
      if (review.submittedBy === actor.name)
        throw new AccessDeniedError(
          `${actor.name} submitted this change: someone else with rules:approve must decide it`,
        );
      const cancelling = decision === 'send-back' && review.state === 'scheduled';
      if (review.state !== 'pending' && !cancelling) throw decided(review);
      if (publishAt !== undefined && (decision !== 'approve' || Date.parse(publishAt) <= now().getTime()))
        throw new AccessDeniedError(
          decision === 'approve'
            ? `publishAt (${publishAt}) has passed: approve without it to publish now, or choose a later time`
            : 'publishAt goes with an approval only',
        );
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
      if (publishAt !== undefined) {
        if ((await reviews.schedule(reviewId, actor.name, comment.trim(), publishAt)) !== 'scheduled')
          throw decided(await found(reviewId));
        return view(await found(reviewId));
      }
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
   * Scheduled approvals whose time has come become approved: each definition the approved one (unless a later version
   * of its snoop was approved meanwhile) with its outbox row, in one transaction. How many.
   */
  promoteScheduled(): Promise<number>;
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
 * and catching up (rows wait until a run publishes them, however long the relay was away). Scheduled approvals
 * whose time has come are made approved first, so the run that follows publishes them.
 */
export async function relayRuleSetOutbox(
  outbox: RuleSetOutbox,
  publish: (publishedBy: string) => Promise<PublishOutcome>,
): Promise<{ rows: number; promoted: number; outcome?: PublishOutcome }> {
  const promoted = await outbox.promoteScheduled();
  return { promoted, ...(await outbox.drain((requests) => publish(publishedByOf(requests)))) };
}
