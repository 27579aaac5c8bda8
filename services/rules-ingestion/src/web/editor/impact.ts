/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Impact previews on the page: asked for through the definitions API (snoop-scheduler counts them over the customer
 * store), waited for with the wait said, and shown as a table per snoop (customers it fires for before and after,
 * gained, lost, scores moved, where the scores fall) with sample customers in words.
 */
import type { ImpactReport } from '@backbone/rules-language';
import { api } from './session';

export interface ImpactAnswer {
  previewId: string;
  state: 'pending' | 'computed' | 'failed';
  snoopIds: string[];
  customers: number | null;
  before: string;
  after: string;
  reason?: string;
  report?: ImpactReport;
}

const POLL_MS = 400;
const GIVE_UP_MS = 120_000;

/** Asks for a preview and waits for its answer, telling `progress` how long it has waited. */
export async function askForImpact(
  ask: ({ snoopIds: string[] } | { from: string; to: string }) & { customers?: number | null },
  progress: (text: string) => void,
): Promise<ImpactAnswer> {
  const began = Date.now();
  let answer = await api<ImpactAnswer>('/impact-previews', { method: 'POST', body: ask });
  while (answer.state === 'pending') {
    const waited = Date.now() - began;
    if (waited > GIVE_UP_MS) throw new Error(`no answer after ${GIVE_UP_MS / 1000} s: ask again`);
    progress(`Counting over the customer store… ${(waited / 1000).toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    answer = await api<ImpactAnswer>(`/impact-previews/${answer.previewId}`);
  }
  return answer;
}

/** One line a reviewer reads: per snoop, how many it gains and loses. */
export const impactSummary = (answer: ImpactAnswer): string =>
  answer.report
    ? answer.report.snoops.map((s) => `${s.id}: +${s.gained} −${s.lost}`).join('; ') +
      ` (of ${answer.report.customers} customers)`
    : answer.state === 'failed'
      ? `not counted: ${answer.reason ?? ''}`
      : 'being counted';

/** Where the scores fall, ten bands from 0 to 1, as a line of blocks (taller: more customers). */
const bands = (counts: number[]): string => {
  const most = Math.max(1, ...counts);
  return counts.map((n) => (n === 0 ? '·' : '▁▂▃▄▅▆▇█'[Math.min(7, Math.floor((n / most) * 7.99))]!)).join('');
};

export function renderImpact(target: HTMLElement, answer: ImpactAnswer): void {
  target.replaceChildren();
  if (answer.state === 'failed' || !answer.report) {
    target.textContent = `The impact could not be counted: ${answer.reason ?? 'no answer'}.`;
    target.className = 'error';
    return;
  }
  target.className = '';
  const heading = document.createElement('p');
  heading.textContent =
    `Over ${answer.report.customers} customers, ${answer.before === '(nothing published)' ? 'nothing published' : `${answer.before.slice(0, 12)} (served)`}` +
    ` → ${answer.after === 'draft' ? 'this change' : answer.after.slice(0, 12)}:`;
  const table = document.createElement('table');
  table.className = 'impact';
  table
    .createTHead()
    .insertRow()
    .append(
      ...[
        'Snoop',
        'Fires before',
        'Fires after',
        'Gains',
        'Loses',
        'Scores moved',
        'Scores before',
        'Scores after',
      ].map((label, i) =>
        Object.assign(document.createElement('th'), {
          scope: 'col',
          textContent: label,
          className: i > 0 && i < 6 ? 'n' : '',
        }),
      ),
    );
  const body = table.createTBody();
  for (const snoop of answer.report.snoops) {
    const row = body.insertRow();
    row.insertCell().textContent = snoop.id;
    for (const n of [snoop.firedBefore, snoop.firedAfter, snoop.gained, snoop.lost, snoop.rescored]) {
      const cell = row.insertCell();
      cell.textContent = String(n);
      cell.className = 'n';
    }
    row.insertCell().textContent = bands(snoop.scoreBandsBefore);
    row.insertCell().textContent = bands(snoop.scoreBandsAfter);
  }
  const samples = document.createElement('ul');
  for (const snoop of answer.report.snoops)
    for (const kind of ['gained', 'lost'] as const)
      for (const sample of snoop.samples[kind]) {
        const item = document.createElement('li');
        item.textContent = `${snoop.id} ${kind} ${sample.customerId}: ${kind === 'gained' ? sample.after : sample.before}`;
        samples.append(item);
      }
  target.append(heading, table, ...(samples.children.length > 0 ? [samples] : []));
}
