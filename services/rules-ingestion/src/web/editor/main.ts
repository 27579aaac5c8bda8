/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The snoop editor's page script (bundled by esbuild for the browser; served by rules-ingestion at /editor/app.js).
 * It signs the person in (authorization code with PKCE against the company's user pool, as the dead-letter console
 * does), lists the snoops, and edits one in the builder or as text. Every edit is checked and run against the sample
 * customers here, in the page; saving goes through the definitions API, which checks everything again.
 */
import {
  boundaryProbes,
  celToCondition,
  conditionToCel,
  diagnose,
  runSamples,
  type Condition,
  type SampleCustomer,
  type SnoopDefinition,
} from '@backbone/rules-language';
import { conditionEditor } from './builder';
import { loadSamples, sampleFromJson, saveOwnSamples, DEFAULT_SAMPLES } from './samples';
import { askForImpact, renderImpact } from './impact';
import { $, say } from './page';
import { showPublications, showReviews, type ReviewAnswer } from './review-panels';
import { api, ApiError, signIn, tradeCode, useToken } from './session';
import { createTextEditor, type TextEditor } from './text-editor';

interface StoredSnoop {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'retired';
  audience: string;
  contentRef: string;
  validFrom: string;
  validTo?: string;
  version: number;
  condition: Condition;
  score: unknown;
}

const today = () => new Date().toISOString().slice(0, 10);

// ---- the snoop being edited ----

interface Editing {
  stored: StoredSnoop | undefined;
  /** The version it was read at (a save says it, so a change made meanwhile is not overwritten). */
  version: number | undefined;
  condition: Condition | undefined;
  when: string;
  score: string;
}
let editing: Editing = { stored: undefined, version: undefined, condition: undefined, when: '', score: '' };
let whenEditor: TextEditor;
let scoreEditor: TextEditor;
let samples: SampleCustomer[] = [];

/** The definition the page runs: the form's fields with the text of the condition and the score. */
function definitionOf(): SnoopDefinition {
  const value = (id: string) => $<HTMLInputElement>(id).value.trim();
  return {
    id: value('field-id') || 'new-snoop',
    name: value('field-name') || 'untitled',
    status: 'draft',
    audience: value('field-audience') || 'all',
    contentRef: value('field-content') || 'content',
    validFrom: value('field-valid-from') || today(),
    ...(value('field-valid-to') ? { validTo: value('field-valid-to') } : {}),
    version: editing.version ?? 1,
    when: editing.when,
    score: editing.score,
  };
}

/** Keeps the focus in the builder's n-th control across a redraw (it is redrawn on every change). */
function redrawBuilder(): void {
  const root = $('builder');
  const controls = () => [...root.querySelectorAll<HTMLElement>('input, select, button')];
  const focused = controls().indexOf(document.activeElement as HTMLElement);
  const caret = document.activeElement instanceof HTMLInputElement ? document.activeElement.selectionStart : null;
  root.replaceChildren();
  if (!editing.condition) {
    const problem = diagnose(editing.when, 'condition')[0];
    root.append(
      Object.assign(document.createElement('p'), {
        className: 'muted',
        textContent: `The builder shows the condition once the text has no problem${problem ? ` (now: ${problem.message})` : ''}.`,
      }),
    );
    return;
  }
  root.append(
    conditionEditor(editing.condition, (next) => {
      editing.condition = next;
      editing.when = conditionToCel(next);
      whenEditor.setText(editing.when);
      redrawBuilder();
      rerun();
    }),
  );
  const again = controls()[focused];
  if (focused >= 0 && again) {
    again.focus();
    if (again instanceof HTMLInputElement && caret !== null) again.setSelectionRange(caret, caret);
  }
}

function onWhenTyped(text: string): void {
  if (text === editing.when) return;
  editing.when = text;
  editing.condition = diagnose(text, 'condition').length === 0 ? celToCondition(text) : undefined;
  if (!$('builder-panel').hidden) redrawBuilder();
  rerun();
}

function onScoreTyped(text: string): void {
  if (text === editing.score) return;
  editing.score = text;
  rerun();
}

/** The test panel and the probes, run again on every edit (in this page: no request). */
function rerun(): void {
  const problems = [...diagnose(editing.when, 'condition'), ...diagnose(editing.score, 'score')];
  $('problems').textContent =
    problems.length === 0
      ? 'No problems: it can be saved.'
      : `${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`;
  $('problems').className = problems.length === 0 ? 'ok' : 'error';
  const body = $('tests').querySelector('tbody')!;
  const probes = $('probes').querySelector('tbody')!;
  body.replaceChildren();
  probes.replaceChildren();
  if (problems.length > 0) return;
  const definition = definitionOf();
  for (const outcome of runSamples(definition, samples, { on: today() })) {
    const row = body.insertRow();
    row.insertCell().textContent = outcome.name;
    if ('error' in outcome) {
      const cell = row.insertCell();
      cell.colSpan = 3;
      cell.textContent = outcome.error;
      cell.className = 'error';
      continue;
    }
    const fired = row.insertCell();
    fired.textContent = outcome.fired ? 'fires' : 'does not fire';
    fired.className = outcome.fired ? 'fired' : 'muted';
    row.insertCell().textContent = outcome.score.toFixed(2);
    row.insertCell().textContent = outcome.explanation;
  }
  const sample = samples.find((s) => s.name === $<HTMLSelectElement>('probe-sample').value) ?? samples[0]!;
  for (const probe of boundaryProbes(definition, sample, { on: today() })) {
    const row = probes.insertRow();
    row.insertCell().textContent = editing.when.slice(probe.from, probe.to);
    row.insertCell().textContent =
      probe.varies === 'threshold' ? 'the number itself' : `${sample.name}’s ${probe.varies.field}`;
    for (const tried of probe.tries) row.insertCell().textContent = `${tried.value}: ${tried.fired ? 'fires' : 'no'}`;
  }
}

function fillForm(stored: StoredSnoop | undefined, text: { when: string; score: string }): void {
  const set = (id: string, value: string) => ($<HTMLInputElement>(id).value = value);
  set('field-id', stored?.id ?? '');
  $<HTMLInputElement>('field-id').readOnly = stored !== undefined;
  set('field-name', stored?.name ?? '');
  set('field-audience', stored?.audience ?? 'all');
  set('field-content', stored?.contentRef ?? '');
  set('field-valid-from', stored?.validFrom ?? today());
  set('field-valid-to', stored?.validTo ?? '');
  $('snoop-title').textContent = stored
    ? `${stored.name} (${stored.id}, version ${stored.version}, ${stored.status})`
    : 'A new snoop';
  editing = {
    stored,
    version: stored?.version,
    condition: stored?.condition ?? celToCondition(text.when),
    when: text.when,
    score: text.score,
  };
  whenEditor.setText(text.when);
  scoreEditor.setText(text.score);
  $('editor-section').hidden = false;
  redrawBuilder();
  rerun();
}

async function openSnoop(id: string): Promise<void> {
  const answer = await api<{ snoop: StoredSnoop; text: { when: string; score: string } }>(
    `/snoops/${encodeURIComponent(id)}`,
  );
  fillForm(answer.snoop, answer.text);
  say(`Opened ${answer.snoop.name}.`);
  await showHistory(id);
}

async function showHistory(id: string): Promise<void> {
  const history = await api<{ version: number; savedBy: string; savedAt: string; changes: { field: string }[] }[]>(
    `/snoops/${encodeURIComponent(id)}/history`,
  );
  const list = $('history');
  // Newest first: what changed last is what a writer looks for.
  list.replaceChildren(
    ...[...history].reverse().map((entry) =>
      Object.assign(document.createElement('li'), {
        textContent: `version ${entry.version}: ${entry.savedBy}, ${entry.savedAt.slice(0, 16).replace('T', ' ')} — ${entry.version === 1 ? 'created' : entry.changes.map((c) => c.field).join(', ')}`,
      }),
    ),
  );
}

async function listSnoops(): Promise<void> {
  const snoops = await api<{ id: string; name: string; status: string; version: number }[]>('/snoops');
  const body = $('snoops').querySelector('tbody')!;
  body.replaceChildren();
  for (const snoop of snoops) {
    const row = body.insertRow();
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = snoop.name;
    open.addEventListener('click', () => void openSnoop(snoop.id).catch((e: Error) => say(e.message, true)));
    row.insertCell().append(open);
    row.insertCell().textContent = snoop.id;
    row.insertCell().textContent = snoop.status;
    const version = row.insertCell();
    version.textContent = String(snoop.version);
    version.className = 'n';
  }
}

async function save(): Promise<void> {
  const definition = definitionOf();
  const problems = [...diagnose(definition.when, 'condition'), ...diagnose(definition.score, 'score')];
  if (problems.length > 0) return say(`Not saved: ${problems[0]!.message}`, true);
  const fields = {
    name: definition.name,
    audience: definition.audience,
    contentRef: definition.contentRef,
    validFrom: definition.validFrom,
    ...(definition.validTo ? { validTo: definition.validTo } : {}),
    when: definition.when,
    score: definition.score,
  };
  try {
    const answer = editing.stored
      ? await api<{ snoop: StoredSnoop; text: { when: string; score: string } }>(
          `/snoops/${encodeURIComponent(definition.id)}`,
          {
            method: 'PUT',
            body: { expectedVersion: editing.version, changes: fields },
          },
        )
      : await api<{ snoop: StoredSnoop; text: { when: string; score: string } }>('/snoops', {
          method: 'POST',
          body: { ...fields, id: definition.id, status: 'draft' },
        });
    fillForm(answer.snoop, answer.text);
    say(`Saved ${answer.snoop.name} as version ${answer.snoop.version}.`);
    await Promise.all([listSnoops(), showHistory(answer.snoop.id)]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const changes = (error.body['changesSince'] as { field: string }[] | undefined) ?? [];
      return say(
        `Not saved: ${String(error.body['savedBy'])} saved version ${String(error.body['currentVersion'])} meanwhile (changed: ${changes.map((c) => c.field).join(', ')}). Open it again and make your change there.`,
        true,
      );
    }
    say(`Not saved: ${(error as Error).message}`, true);
  }
}

/** The last preview of the snoop being edited, and the version it counted: submitted with it when still current. */
let lastPreview: { snoopId: string; version: number; previewId: string } | undefined;

async function previewImpact(): Promise<void> {
  if (!editing.stored || editing.version === undefined)
    return say('Save the snoop first: the preview counts the version saved.', true);
  const { id } = editing.stored;
  const version = editing.version;
  say(`Counting what version ${version} of ${id} changes…`);
  const over = $<HTMLSelectElement>('impact-customers').value;
  const answer = await askForImpact({ snoopIds: [id], customers: over === 'all' ? null : Number(over) }, (text) =>
    say(text),
  );
  renderImpact($('impact'), answer);
  if (answer.state !== 'computed') return say(`The impact of ${id} could not be counted.`, true);
  lastPreview = { snoopId: id, version, previewId: answer.previewId };
  say(`Counted over ${answer.report!.customers} customers: submit it with this preview for the reviewer to see.`);
}

async function submitForReview(): Promise<void> {
  if (!editing.stored || editing.version === undefined) return say('Save the snoop first, then submit it.', true);
  const note = $<HTMLInputElement>('review-note').value.trim();
  const preview =
    lastPreview?.snoopId === editing.stored.id && lastPreview.version === editing.version
      ? lastPreview.previewId
      : undefined;
  const review = await api<ReviewAnswer>(`/snoops/${encodeURIComponent(editing.stored.id)}/reviews`, {
    method: 'POST',
    body: {
      expectedVersion: editing.version,
      ...(note ? { note } : {}),
      ...(preview ? { impactPreviewId: preview } : {}),
    },
  });
  say(`Submitted ${review.snoopId} version ${review.version} for review: someone else approves it.`);
  await showReviews();
}

function showSamples(): void {
  const choose = $<HTMLSelectElement>('probe-sample');
  const chosen = choose.value;
  choose.replaceChildren(
    ...samples.map((s) => Object.assign(document.createElement('option'), { value: s.name, textContent: s.name })),
  );
  if (samples.some((s) => s.name === chosen)) choose.value = chosen;
}

function addSample(): void {
  try {
    const sample = sampleFromJson(
      $<HTMLInputElement>('sample-name').value,
      $<HTMLTextAreaElement>('sample-json').value,
    );
    const own = samples.slice(DEFAULT_SAMPLES.length).filter((s) => s.name !== sample.name);
    saveOwnSamples([...own, sample]);
    samples = loadSamples();
    showSamples();
    rerun();
    say(`Sample ${sample.name} added: every edit runs against it too.`);
  } catch (error) {
    say(`Sample not added: ${(error as Error).message}`, true);
  }
}

function showTab(builder: boolean): void {
  $('builder-panel').hidden = !builder;
  $('text-panel').hidden = builder;
  $('tab-builder').setAttribute('aria-selected', String(builder));
  $('tab-text').setAttribute('aria-selected', String(!builder));
  if (builder) redrawBuilder();
}

function start(): void {
  samples = loadSamples();
  showSamples();
  whenEditor = createTextEditor($('when-editor'), 'condition', '', onWhenTyped);
  scoreEditor = createTextEditor($('score-editor'), 'score', '', onScoreTyped);
  $('tab-builder').addEventListener('click', () => showTab(true));
  $('tab-text').addEventListener('click', () => showTab(false));
  $('save').addEventListener('click', () => void save());
  $('submit-review').addEventListener('click', () => void submitForReview().catch((e: Error) => say(e.message, true)));
  $('preview-impact').addEventListener('click', () => void previewImpact().catch((e: Error) => say(e.message, true)));
  $('new-snoop').addEventListener('click', () => {
    fillForm(undefined, { when: 'balances.savings < 100.0', score: '0.5' });
    say('A new snoop: give it an id and a name, then save it as a draft.');
  });
  $('add-sample').addEventListener('click', addSample);
  $('probe-sample').addEventListener('change', rerun);
  $('sample-json').textContent = JSON.stringify(DEFAULT_SAMPLES[1]!.facts, null, 2);
  $('signin-button').addEventListener('click', () => void signIn().catch((e: Error) => say(e.message, true)));
  tradeCode()
    .catch((e: Error) => say(e.message, true))
    .then(async () => {
      const token = sessionStorage.getItem('token') ?? '';
      if (!token) {
        $('signin').hidden = false;
        return;
      }
      let groups: string[] = [];
      try {
        const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as Record<
          string,
          unknown
        >;
        $('who').textContent = `Signed in as ${String(claims['email'] ?? claims['cognito:username'])}.`;
        const claimed = claims['cognito:groups'];
        groups = Array.isArray(claimed) ? (claimed as string[]) : typeof claimed === 'string' ? claimed.split(',') : [];
      } catch {
        // The API decides who it is.
      }
      useToken(token, groups);
      $('snoops-section').hidden = false;
      await Promise.all([listSnoops(), showReviews(), showPublications()]);
    })
    .catch((e: Error) => say(e.message, true));
}

start();
