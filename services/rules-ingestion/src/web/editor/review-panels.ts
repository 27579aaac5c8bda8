/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The changes waiting for review (Approve or Send back, for approvers) and the rule sets published (Compare with what
 * is served; Restore, for publishers), each redrawn from the API after every decision.
 */
import { askForImpact, impactSummary, renderImpact, type ImpactAnswer } from './impact';
import { $, button, say } from './page';
import { api, may } from './session';

export interface ReviewAnswer {
  reviewId: string;
  snoopId: string;
  version: number;
  submittedBy: string;
  note?: string;
  impactPreviewId?: string;
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
    const impact = row.insertCell();
    impact.textContent = review.impactPreviewId ? 'being read…' : 'no preview';
    if (review.impactPreviewId)
      void api<ImpactAnswer>(`/impact-previews/${review.impactPreviewId}`)
        .then((answer) => (impact.textContent = impactSummary(answer)))
        .catch(() => (impact.textContent = 'could not be read'));
    const act = row.insertCell();
    if (!may('rules:approve')) continue;
    const comment = Object.assign(document.createElement('input'), { size: 20, placeholder: 'comment' });
    comment.setAttribute('aria-label', `comment on ${review.snoopId} version ${review.version}`);
    // Empty: publish on approval; a time: the approval waits until then (the relay publishes it at that time).
    const when = Object.assign(document.createElement('input'), { type: 'datetime-local' });
    when.setAttribute('aria-label', `publish ${review.snoopId} version ${review.version} at (empty: now)`);
    const decide = (decision: 'approve' | 'send-back') => async () => {
      const publishAt = decision === 'approve' && when.value ? new Date(when.value).toISOString() : undefined;
      await api(`/reviews/${review.reviewId}/decision`, {
        method: 'POST',
        body: { decision, comment: comment.value, ...(publishAt ? { publishAt } : {}) },
      });
      say(
        decision === 'send-back'
          ? `Sent ${review.snoopId} back.`
          : publishAt
            ? `Approved ${review.snoopId} version ${review.version}: it will be published at ${publishAt}.`
            : `Approved ${review.snoopId} version ${review.version}: it is being published.`,
      );
      await Promise.all([showReviews(), showPublications()]);
    };
    act.append(
      button('Approve', decide('approve'), `Approve ${review.snoopId} version ${review.version}`),
      ' ',
      comment,
      ' ',
      when,
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
            const target = $('comparison-impact');
            target.replaceChildren(
              button(
                'Count the difference over customers',
                async () => {
                  const answer = await askForImpact(
                    { from: publication.ruleSetVersion, to: served.ruleSetVersion },
                    (t) => say(t),
                  );
                  renderImpact(target, answer);
                  say(`Counted the difference between ${short} and what is served.`);
                },
                `Count the difference between ${short} and what is served`,
              ),
            );
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
