/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The changes waiting for review (Approve or Send back, for approvers) and the rule sets published (Compare with what
 * is served; Restore, for publishers), each redrawn from the API after every decision.
 */
import { $, button, say } from './page';
import { api, may } from './session';

export interface ReviewAnswer {
  reviewId: string;
  snoopId: string;
  version: number;
  submittedBy: string;
  note?: string;
  changes: { field: string; to?: unknown }[];
}

export async function showReviews(): Promise<void> {
  const pending = await api<ReviewAnswer[]>('/reviews?state=pending');
  const body = $('reviews').querySelector('tbody')!;
  body.replaceChildren();
  for (const review of pending) {
    const row = body.insertRow();
    row.insertCell().textContent = review.snoopId;
    const version = row.insertCell();
    version.textContent = String(review.version);
    version.className = 'n';
    row.insertCell().textContent = review.submittedBy;
    row.insertCell().textContent =
      review.changes.map((c) => (c.field === 'condition' ? `condition: ${String(c.to)}` : c.field)).join('; ') +
      (review.note ? ` (“${review.note}”)` : '');
    const act = row.insertCell();
    if (!may('rules:approve')) continue;
    const comment = Object.assign(document.createElement('input'), { size: 20, placeholder: 'comment' });
    comment.setAttribute('aria-label', `comment on ${review.snoopId} version ${review.version}`);
    const decide = (decision: 'approve' | 'send-back') => async () => {
      await api(`/reviews/${review.reviewId}/decision`, { method: 'POST', body: { decision, comment: comment.value } });
      say(
        decision === 'approve'
          ? `Approved ${review.snoopId} version ${review.version}: it is being published.`
          : `Sent ${review.snoopId} back.`,
      );
      await Promise.all([showReviews(), showPublications()]);
    };
    act.append(
      button('Approve', decide('approve'), `Approve ${review.snoopId} version ${review.version}`),
      ' ',
      comment,
      ' ',
      button('Send back', decide('send-back'), `Send back ${review.snoopId} version ${review.version}`),
    );
  }
  $('reviews-section').hidden = false;
}

interface PublicationAnswer {
  ruleSetVersion: string;
  ruleCount: number;
  publishedBy: string;
  publishedAt: string;
  restorable: boolean;
}

export async function showPublications(): Promise<void> {
  const publications = await api<PublicationAnswer[]>('/publications');
  const body = $('publications').querySelector('tbody')!;
  body.replaceChildren();
  publications.slice(0, 10).forEach((publication, i) => {
    const row = body.insertRow();
    const short = publication.ruleSetVersion.slice(0, 12);
    row.insertCell().textContent = `${short}${i === 0 ? ' (served now)' : ''}`;
    const count = row.insertCell();
    count.textContent = String(publication.ruleCount);
    count.className = 'n';
    row.insertCell().textContent = publication.publishedBy;
    row.insertCell().textContent = publication.publishedAt.slice(0, 19).replace('T', ' ');
    const act = row.insertCell();
    const served = publications[0]!;
    if (i > 0 && publication.restorable && served.restorable)
      act.append(
        button(
          'Compare',
          async () => {
            const comparison = await api<{
              added: string[];
              removed: string[];
              changed: { id: string; changes: { field: string; from?: unknown; to?: unknown }[] }[];
              unchanged: number;
            }>(`/publications/${publication.ruleSetVersion}/comparison/${served.ruleSetVersion}`);
            const lines = [
              ...comparison.added.map((id) => `+ ${id} (added)`),
              ...comparison.removed.map((id) => `- ${id} (removed)`),
              ...comparison.changed.flatMap(({ id, changes }) => [
                `~ ${id}`,
                ...changes.map((c) => `    ${c.field}: ${String(c.from)} → ${String(c.to)}`),
              ]),
              `${comparison.unchanged} the same`,
            ];
            $('comparison').textContent =
              `${short} → ${served.ruleSetVersion.slice(0, 12)} (served now)\n${lines.join('\n')}`;
            $('comparison').hidden = false;
          },
          `Compare ${short} with what is served`,
        ),
        ' ',
      );
    if (i > 0 && publication.restorable && may('rules:publish'))
      act.append(
        button(
          'Restore',
          async () => {
            await api(`/publications/${publication.ruleSetVersion}/restoration`, { method: 'POST' });
            say(`Restoring ${short}: it is being published again.`);
          },
          `Restore ${short}`,
        ),
      );
  });
  $('publications-section').hidden = false;
}
