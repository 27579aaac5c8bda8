/**
 * The snoop editor's page in a real headless Chromium (Debian's, driven by playwright-core), against rules-ingestion
 * in serverless-offline and the local PostgreSQL: a writer signs in through the local identity provider, opens a
 * snoop, lowers its threshold in the text view, sees an error underlined as they type and fixes it, sees the test
 * panel change, sees the builder show the same condition, saves, and finds the change in the history; a save made on
 * an old version is refused with who changed what. The writer previews its impact over the customer store (the counts
 * checked against a dry run of the rules computed here, independently) and submits it with the preview for review (no
 * Approve button for them); an approver, in another session, sees the impact beside the change, approves it, and both
 * engine processes serve it within seconds (the time printed); a sample of the night's customers scores with it (the
 * engine's dry run); a later approval is published over it, the two versions are compared with the results
 * difference counted, and the first is restored in one action and served again. Screenshots at each step go to
 * .test-artifacts/snoop-editor/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { localSignIn } from '@backbone/dlq-console/local';
import { compileRuleFile } from '@backbone/rules-language';
import { loadConfig } from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { pageEligibleCustomers, readCustomers, seedCustomerStore } from '@backbone/snoop-scheduler/local';
import { getJson, postJson } from '@backbone/snoop-scheduler/local/engine';
import { waitFor } from '@backbone/shared/testing';
import { ensureChromium } from '../local-cloud/prerequisites';

const BASE = 'http://127.0.0.1:3040';
/** The engine's two local processes, and the secret their refresh and version routes take locally. */
const ENGINES = ['http://127.0.0.1:4601', 'http://127.0.0.1:4602'];
const LOCAL_REFRESH_SECRET = 'local-rules-refresh-secret';

/** Waits until both engine processes serve `version`. */
const bothServe = (version: string) =>
  waitFor(
    `both engine processes to serve ${version.slice(0, 12)}`,
    async () => {
      const serving = await Promise.all(
        ENGINES.map(
          async (engine) =>
            ((await getJson(`${engine}/rules/version`, LOCAL_REFRESH_SECRET)).body as { serving?: { version: string } })
              .serving?.version,
        ),
      );
      return serving.every((v) => v === version) ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
const ARTIFACTS = path.join(__dirname, '../../.test-artifacts/snoop-editor');
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
/** The snoop being edited alone (the guide's pictures: docs/guides/writing-snoops.md). */
const shotOfEditor = (name: string) =>
  page.locator('#editor-section').screenshot({ path: path.join(ARTIFACTS, `guide-${name}.png`) });
const writerToken = () =>
  localSignIn({
    email: 'snoop.approver@example.com',
    groups: ['rules:read', 'rules:edit'],
    clientId: 'rules-editor-local',
  });

async function api(
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${BASE}${route}`, {
    method,
    headers: { authorization: writerToken(), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The dry run the preview is checked against, computed here: the condition in a rules file of its own, compiled by
 * the rules language and evaluated customer by customer over the customer store's first 10,000 eligible customers
 * (all their transactions: the window is the rule's business), read with the customer store's own queries.
 */
async function customersFiring(id: string, when: string): Promise<{ fire: string[]; not: string[] }> {
  const compiled = compileRuleFile(
    `snoop "${id}" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ` +
      `when: ${when} score: 0.5 }`,
    { currency: 'GBP' },
  );
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => e.message).join('; '));
  const pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  try {
    const ids = await pageEligibleCustomers(pool, undefined, 10_000);
    const on = new Date().toISOString().slice(0, 10);
    const facts = await readCustomers(pool, ids, { asOf: new Date(`${on}T00:00:00Z`), windowDays: 400 });
    const fire: string[] = [];
    const not: string[] = [];
    for (const [customerId, customer] of facts) {
      const [outcome] = compiled.ruleSet.evaluateRules(customer, [id], { on });
      (outcome && 'qualified' in outcome && outcome.qualified ? fire : not).push(customerId);
    }
    return { fire, not };
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // The customers the preview counts: the nightly run test's seed (the same data every time), whatever ran before.
  const pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  try {
    await seedCustomerStore(pool, { customers: 1_000, transactionsPerCustomer: 40 });
  } finally {
    await pool.end();
  }
  browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
});

it('takes a change from a writer’s first keystroke to both engines serving it, and back: edit, check, try, save, submit, approve, restore', async () => {
  // A snoop of this test's own: eating out over 100 in 30 days (Tom, a sample customer, spends 317.70).
  const id = `editor-${randomUUID().slice(0, 8)}`;
  const created = await api('POST', '/snoops', {
    id,
    name: `Eating out ${id}`,
    status: 'draft',
    audience: 'all',
    contentRef: 'content/eating-out',
    validFrom: '2026-01-01',
    when: 'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "eating-out").map(t, t.amount)) > 400.0',
    score: '0.5',
  });
  expect(created.status).toBe(201);

  await page.goto(`${BASE}/editor`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel(/snoop\.writer@example\.com/).check();
  await shot('1-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as snoop.writer@example.com.').waitFor();
  await page.getByRole('button', { name: `Eating out ${id}` }).click();
  await page.getByText(`Opened Eating out ${id}.`).waitFor();

  // The samples ran in the page: at 400, Tom (317.70 on eating out) does not fire.
  const tom = page.locator('#tests tbody tr', { hasText: 'Tom, eats out' });
  await expect(tom.locator('td').nth(1).textContent()).resolves.toBe('does not fire');
  await shot('2-opened');

  // The text view: a typo is underlined as it is typed, and said in words.
  await page.getByRole('tab', { name: 'Text' }).click();
  const when = page.getByRole('textbox', { name: 'condition (when)' });
  await when.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(
    'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "eating-out").map(t, t.amout)) > 100.0',
  );
  await page.locator('.cm-lintRange-error').first().waitFor();
  await expect(page.locator('#problems').textContent()).resolves.toMatch(/amout/);
  await shot('3-error-underlined');
  await shotOfEditor('text-view-error');

  // Fixed: no problem, and the lower threshold makes Tom fire, with the amount in words.
  await page.keyboard.press('Control+A');
  await page.keyboard.type(
    'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "eating-out").map(t, t.amount)) > 100.0',
  );
  await page.getByText('No problems: it can be saved.').waitFor();
  // The underline goes with the editor's next lint pass (CodeMirror draws it after the change, not with it).
  await page.locator('.cm-lintRange-error').first().waitFor({ state: 'detached' });
  await expect(tom.locator('td').nth(1).textContent()).resolves.toBe('fires');
  await expect(tom.locator('td').nth(3).textContent()).resolves.toMatch(
    /eating-out in the last 30 days, more than 100/,
  );
  // The probes, on the sample chosen: each number of the condition moved a step either way (Tom spends 317.70 on
  // eating out in 30 days, 301.70 in 29: he fires at 99, 100 and 101, and with 29, 30 or 31 days).
  await page.getByLabel('Probe with').selectOption('Tom, eats out');
  const probes = await page.locator('#probes tbody tr').allTextContents();
  expect(probes).toEqual([
    '30.0the number itself29: fires30: fires31: fires',
    '100.0the number itself99: fires100: fires101: fires',
  ]);
  await shot('4-fixed-and-tom-fires');
  await shotOfEditor('samples-and-probes');

  // The builder shows the same condition: its threshold among its values.
  await page.getByRole('tab', { name: 'Builder' }).click();
  await expect(page.locator('#builder input[aria-label="value"]').first().inputValue()).resolves.toBe('100');
  await shot('5-builder');
  await shotOfEditor('builder');

  await page.getByRole('button', { name: 'Save as draft' }).click();
  await page.getByText(`Saved Eating out ${id} as version 2.`).waitFor();
  await page.locator('#history li', { hasText: /^version 2: snoop\.writer@example\.com, .* — condition$/ }).waitFor();
  await expect(page.locator('#history li').last().textContent()).resolves.toMatch(/^version 1: .* — created$/);
  const saved = await api('GET', `/snoops/${id}`);
  expect((saved.body['text'] as { when: string }).when).toBe(
    'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "eating-out").map(t, t.amount)) > 100.0',
  );
  await shot('6-saved');

  // Someone else saves version 3 meanwhile: this page's next save (made on version 2) is refused, saying who and what.
  const other = await api('PUT', `/snoops/${id}`, {
    expectedVersion: 2,
    changes: { name: `Eating out ${id} (renamed)` },
  });
  expect(other.status).toBe(200);
  await page.getByRole('button', { name: 'Save as draft' }).click();
  await page.getByText(/Not saved: snoop\.approver@example\.com saved version 3 meanwhile \(changed: name\)/).waitFor();
  await shot('7-conflict');

  // The writer submits the latest version for review; they may not approve it (no button for them, and the API
  // refuses an author's own approval: the unit tests).
  await page.reload();
  await page.getByRole('button', { name: `Eating out ${id} (renamed)` }).click();
  await page.getByText(`Opened Eating out ${id} (renamed).`).waitFor();
  // The impact over the customer store, before anything is published: the snoop is new to what is served, so every
  // customer it fires for is gained; the count is the independent dry run's.
  const newWhen =
    'sum(transactions.filter(t, t.daysAgo <= 30.0 && t.category == "eating-out").map(t, t.amount)) > 100.0';
  const [independent] = await Promise.all([
    customersFiring(id, newWhen),
    page.getByRole('button', { name: 'Preview impact' }).click(),
  ]);
  const impactRow = page.locator('#impact tbody tr', { hasText: id });
  await impactRow.waitFor({ timeout: 60_000 });
  const counted = await impactRow.locator('td').allTextContents();
  expect(independent.fire.length).toBeGreaterThan(0);
  expect(counted.slice(1, 5).map(Number)).toEqual([0, independent.fire.length, independent.fire.length, 0]);
  await expect(page.locator('#impact > p').textContent()).resolves.toContain(
    `Over ${independent.fire.length + independent.not.length} customers`,
  );
  // Sample customers gained, in words, are among those the dry run says fire.
  const gainedSample = (await page.locator('#impact li').first().textContent())!;
  expect(independent.fire).toContain(/gained (cust-\d+):/.exec(gainedSample)![1]);
  await shot('8-impact-preview');
  await shotOfEditor('impact-preview');

  await page.getByLabel('Note for the reviewer').fill('lower the threshold to 100');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.getByText(`Submitted ${id} version 3 for review: someone else approves it.`).waitFor();
  const pending = page.locator('#reviews tbody tr', { hasText: id });
  await pending.waitFor();
  await expect(pending.textContent()).resolves.toContain('lower the threshold to 100');
  // The impact travels with the change: the reviewer reads it beside it.
  await pending.getByText(`${id}: +${independent.fire.length} −0`).waitFor();
  expect(await pending.getByRole('button', { name: 'Approve' }).count()).toBe(0);
  await shot('9-submitted');

  // An approver, in another browser session, approves it; within seconds both engine processes serve it.
  const latestPublished = async () =>
    ((await api('GET', '/publications')).body as unknown as { ruleSetVersion: string }[])[0]?.ruleSetVersion;
  /** The relay's next publication after `before`. */
  const publishedAfter = (before: string | undefined) =>
    waitFor(
      'the approval published by the relay',
      async () => {
        const latest = await latestPublished();
        return latest && latest !== before ? latest : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  const approverPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await approverPage.goto(`${BASE}/editor`);
    await approverPage.getByRole('button', { name: 'Sign in' }).click();
    await approverPage.getByLabel(/snoop\.approver@example\.com/).check();
    await approverPage.getByRole('button', { name: 'Sign in' }).click();
    await approverPage.getByText('Signed in as snoop.approver@example.com.').waitFor();
    await approverPage.locator('#reviews-section').screenshot({ path: path.join(ARTIFACTS, 'guide-review.png') });
    const beforeApproval = await latestPublished();
    const approvedAt = Date.now();
    await approverPage.getByRole('button', { name: `Approve ${id} version 3` }).click();
    await approverPage.getByText(`Approved ${id} version 3: it is being published.`).waitFor();
    const approved = await publishedAfter(beforeApproval);
    await bothServe(approved);
    console.log(`approval to both engines serving: ${Date.now() - approvedAt} ms`);

    // A sample of the night's customers scores with it: the engine (behind its load balancer) on the new version,
    // five the dry run says fire and five it says do not.
    const firing = independent.fire.slice(0, 5);
    const sample = [...firing, ...independent.not.slice(0, 5)];
    // A 503 (no process healthy at this instant, on a busy machine) is retried, as the invoke step retries it.
    const scored = await waitFor(
      'the engine to score the sample',
      async () => {
        const answer = await postJson(
          'http://127.0.0.1:4600/evaluate',
          { dryRun: true, customers: sample.map((customerId) => ({ customerId, ruleIds: [id] })) },
          LOCAL_REFRESH_SECRET,
        );
        return answer.status === 503 ? undefined : answer;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(scored.status).toBe(200);
    const night = scored.body as { rulesVersion: string; results: { customerId: string; qualified: boolean }[] };
    expect(night.rulesVersion).toBe(approved);
    expect(night.results.filter((r) => r.qualified).map((r) => r.customerId)).toEqual(firing);

    // A later change, approved by a third person through the API, is published over it.
    const later = await api('PUT', `/snoops/${id}`, {
      expectedVersion: 3,
      changes: { name: `Eating out ${id} (later)` },
    });
    expect(later.status).toBe(200);
    const submitted = await api('POST', `/snoops/${id}/reviews`, { expectedVersion: 4 });
    const third = localSignIn({
      email: 'third@example.com',
      groups: ['rules:read', 'rules:approve'],
      clientId: 'rules-editor-local',
    });
    const decided = await fetch(`${BASE}/reviews/${String(submitted.body['reviewId'])}/decision`, {
      method: 'POST',
      headers: { authorization: third, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);
    await bothServe(await publishedAfter(approved));
    await approverPage.reload();
    await approverPage.locator('#publications tbody tr').first().getByText('(served now)').waitFor();
    // The first approval's version beside the one served, snoop by snoop: the later change is this snoop's name.
    await approverPage.getByRole('button', { name: `Compare ${approved.slice(0, 12)} with what is served` }).click();
    await approverPage
      .locator('#comparison', { hasText: `~ ${id}\n    name: Eating out ${id} (renamed) → Eating out ${id} (later)` })
      .waitFor();
    // The results difference: a new name changes no customer's result.
    await approverPage
      .getByRole('button', { name: `Count the difference between ${approved.slice(0, 12)} and what is served` })
      .click();
    const difference = approverPage.locator('#comparison-impact tbody tr', { hasText: id });
    await difference.waitFor({ timeout: 60_000 });
    expect((await difference.locator('td').allTextContents()).slice(1, 6).map(Number)).toEqual([
      independent.fire.length,
      independent.fire.length,
      0,
      0,
      0,
    ]);
    await approverPage.screenshot({ path: path.join(ARTIFACTS, '10-approved-and-served.png'), fullPage: true });

    // The first approval's version restored in one action: both engines serve it again.
    await approverPage.getByRole('button', { name: `Restore ${approved.slice(0, 12)}` }).click();
    await approverPage.getByText(`Restoring ${approved.slice(0, 12)}: it is being published again.`).waitFor();
    await bothServe(approved);
    expect(await latestPublished()).toBe(approved);
    await approverPage.screenshot({ path: path.join(ARTIFACTS, '11-restored.png'), fullPage: true });
  } finally {
    await approverPage.close();
  }
});
