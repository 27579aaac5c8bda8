import type { StoredSnoop } from '@backbone/rules-language';
import type { OutboxRequest, Publication, Review, ReviewStore } from './reviews';

/**
 * Reviews, the approved definitions, publications and the outbox in memory, with the PostgreSQL store's contract
 * (a decision only on a pending review; an approval and its outbox row together): for the unit tests.
 */
export function memoryReviewStore(approvedAtFirst: readonly StoredSnoop[] = []) {
  const reviews = new Map<string, Review>();
  const approved = new Map<string, StoredSnoop>(approvedAtFirst.map((s) => [s.id, s]));
  const outbox: OutboxRequest[] = [];
  const published = new Map<string, { publication: Publication; definitions?: StoredSnoop[] }>();
  const store: ReviewStore & {
    outbox: typeof outbox;
    published: typeof published;
    approvedNow: () => StoredSnoop[];
  } = {
    outbox,
    published,
    approvedNow: () => [...approved.values()],
    async add(review) {
      if ([...reviews.values()].some((r) => r.snoopId === review.snoopId && r.version === review.version))
        return 'duplicate';
      reviews.set(review.reviewId, { ...review, submittedAt: '2026-12-07T10:00:00.000Z', state: 'pending' });
      return 'added';
    },
    get: async (reviewId) => reviews.get(reviewId),
    list: async (state) => [...reviews.values()].filter((r) => state === undefined || r.state === state).reverse(),
    approved: async () => [...approved.values()],
    async approve(reviewId, decidedBy, comment, reason) {
      const review = reviews.get(reviewId);
      if (review?.state !== 'pending') return 'not-pending';
      reviews.set(reviewId, {
        ...review,
        state: 'approved',
        decidedBy,
        decidedAt: '2026-12-07T11:00:00.000Z',
        ...(comment ? { comment } : {}),
      });
      approved.set(review.snoopId, review.snoop);
      outbox.push({ reason, requestedBy: decidedBy });
      return 'approved';
    },
    async schedule(reviewId, decidedBy, comment, publishAt) {
      const review = reviews.get(reviewId);
      if (review?.state !== 'pending') return 'not-pending';
      reviews.set(reviewId, {
        ...review,
        state: 'scheduled',
        decidedBy,
        decidedAt: '2026-12-07T11:00:00.000Z',
        publishAt,
        ...(comment ? { comment } : {}),
      });
      return 'scheduled';
    },
    async sendBack(reviewId, decidedBy, comment) {
      const review = reviews.get(reviewId);
      if (review?.state !== 'pending' && review?.state !== 'scheduled') return 'not-pending';
      const unscheduled = { ...review };
      delete unscheduled.publishAt;
      reviews.set(reviewId, {
        ...unscheduled,
        state: 'sent-back',
        decidedBy,
        decidedAt: '2026-12-07T11:00:00.000Z',
        comment,
      });
      return 'sent-back';
    },
    publications: async () => [...published.values()].map((p) => p.publication),
    publicationDefinitions: async (ruleSetVersion) => published.get(ruleSetVersion)?.definitions,
    async restore(ruleSetVersion, requestedBy, reason) {
      const found = published.get(ruleSetVersion);
      if (!found) return 'unknown';
      if (!found.definitions) return 'not-restorable';
      approved.clear();
      for (const definition of found.definitions) approved.set(definition.id, definition);
      outbox.push({ reason, requestedBy });
      return 'queued';
    },
  };
  return store;
}
