/**
 * The dead-letter console's page in a real headless Chromium (Debian's, driven by playwright-core): sign in through
 * the local identity provider, see the marketing DLQ's groups, dry-run one while Meta still refuses and once it takes
 * events again, redrive it and watch the depth fall; fix a message its contract refused and send it again (an editor
 * may, an operator may not). Screenshots at each step go to .test-artifacts/dlq-console/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { publishMarketingEvents } from '@backbone/marketing-events/contracts';
import { waitFor, waitForQueueDrained } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '@backbone/marketing-events/contracts/testing';
import { rolesFrom } from '@backbone/dlq-console/local';
import { ensureChromium } from '../local-cloud/prerequisites';
import {
  console_,
  DLQ,
  emptyMarketingQueues,
  META_REFUSES,
  metaCounts,
  queueCounts,
  sandbox,
  sendEventWithInvalidCurrency,
  runFilter,
} from './dead-letter-console-support';

const PAGE = 'http://127.0.0.1:3050/';
const ARTIFACTS = path.join(__dirname, '../../.test-artifacts/dlq-console');
let sqs: SQSClient;
let queueUrl: string;
let dlqUrl: string;
let browser: Browser;
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
  page = await browser.newPage();
  ({ sqs, queueUrl, dlqUrl } = await emptyMarketingQueues());
  await sandbox.faults(META_REFUSES);
});

afterAll(async () => {
  await browser?.close();
  await sandbox.reset();
  sqs?.destroy();
});

it('lets an operator sign in, see why events failed, dry-run a group, redrive it and watch the DLQ empty', async () => {
  const run = randomUUID().slice(0, 8);
  await publishMarketingEvents(
    { sqs, queueUrl },
    Array.from({ length: 10 }, (_, i) => sampleMarketingEvent(run, i * 5)),
  );
  const reader = { name: 'test', roles: rolesFrom(['dlq:read']) };
  const dead = await waitFor(
    'the refused events in the index',
    async () => {
      const found = await console_.messages(reader, DLQ, await runFilter(run), { limit: 100 });
      const { waiting, hidden } = await queueCounts(sqs, dlqUrl);
      // All ten refused (Meta refuses every one), in the DLQ and in the index.
      return found.length === 10 && waiting + hidden === 10 ? found : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 1_000 },
  );

  await page.goto(PAGE);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel(/ops\.operator@example\.com/).check();
  await shot('1-sign-in');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as ops.operator@example.com.').waitFor();

  const row = page.locator('#queues tbody tr', { hasText: DLQ });
  await row.waitFor();
  await expect(row.locator('td').nth(2).textContent()).resolves.toBe(String(dead.length));
  await shot('2-queues');

  await page.getByRole('button', { name: `Why messages failed in ${DLQ}` }).click();
  const group = page.locator('#groups tbody tr').first();
  await group.waitFor();
  await expect(group.textContent()).resolves.toContain('meta answered 400');
  // No personal data on the page.
  await page.getByRole('button', { name: 'Messages of this group' }).first().click();
  await page.locator('#messages tbody tr').first().waitFor();
  await page.locator('#messages tbody button').first().click();
  await expect(page.locator('#detail').textContent()).resolves.not.toMatch(/@example\.com|7700 9/i);
  await shot('3-groups-and-a-message');

  // Meta still refuses: the dry run says they would all fail again, and why.
  await page.getByRole('button', { name: 'Dry run of this group' }).first().click();
  await page
    .getByText(
      `Dry run: 0 would pass their consumer’s checks; would fail again: ${dead.length} because meta still fails this way`,
      { exact: false },
    )
    .waitFor();
  await shot('4-dry-run-meta-still-refusing');

  // Meta is fixed, and takes a fresh event: the dry run now passes them all.
  await sandbox.reset();
  await publishMarketingEvents({ sqs, queueUrl }, [sampleMarketingEvent(`${run}x`, 0)]);
  await waitFor('the fresh event at Meta', async () => ((await metaCounts()).unique >= 1 ? true : undefined));
  // The dispatcher notes Meta's answer after Meta has the event: the queue empty, in flight included, says it has.
  await waitForQueueDrained(sqs, queueUrl);
  await sandbox.reset();
  await page.getByRole('button', { name: 'Dry run of this group' }).first().click();
  await page
    .getByText(`Dry run: ${dead.length} would pass their consumer’s checks; none would fail again. Nothing was sent.`)
    .waitFor();
  await shot('5-dry-run-meta-back');

  await page.getByRole('button', { name: 'Redrive this group' }).first().click();
  await page.locator('#confirm').waitFor({ state: 'visible' });
  await expect(page.locator('#confirm-text').textContent()).resolves.toMatch(
    new RegExp(`^Send again: ${dead.length} messages of `),
  );
  // The canary is watched long enough for a failure to come back through the events queue's retries (the local
  // stage's backoff of 1 s to 8 s over 15 receives: 95 s, and 30 s more), and the person may shorten it.
  await expect(page.locator('#confirm-watch').inputValue()).resolves.toBe('125');
  await shot('6-confirm');
  await page.locator('#confirm-watch').fill('3');
  await page.getByRole('button', { name: 'Send them again' }).click();
  await page.getByText(/^Redrive done\./).waitFor({ timeout: 60_000 });
  // The list of redrives shows it, done, with what it sent (the list is read again with the queues: waited for).
  const newest = page.locator('#redrives tbody tr').first();
  await newest.getByRole('cell', { name: 'done', exact: true }).waitFor();
  await expect(newest.locator('td').nth(5).textContent()).resolves.toBe(`${dead.length} of ${dead.length}`);
  await shot('7-done');
  // The audit trail on the page: the dry runs and the redrive, by whom.
  await page.locator('#audit tbody tr', { hasText: 'redrive' }).filter({ hasText: 'done' }).first().waitFor();
  await expect(page.locator('#audit tbody tr', { hasText: 'dry-run' }).first().textContent()).resolves.toContain(
    'ops.operator@example.com',
  );

  // One group (every event a registration): all ten moved, the DLQ is empty, and Meta has each of them once.
  await expect(page.locator('#progress-text').textContent()).resolves.toMatch(
    new RegExp(`\\b${dead.length} of ${dead.length} sent`),
  );
  await expect(row.locator('td').nth(2).textContent()).resolves.toBe('0');
  expect(await queueCounts(sqs, dlqUrl)).toEqual({ waiting: 0, hidden: 0 });
  await waitFor('the redriven events at Meta', async () =>
    (await metaCounts()).unique >= dead.length ? true : undefined,
  );
  expect(await metaCounts()).toMatchObject({ unique: dead.length, duplicates: 0 });
});

it('lets an editor fix a message its contract refused and send it again from the page; an operator may not', async () => {
  await sandbox.reset();
  const run = randomUUID().slice(0, 8);
  await sendEventWithInvalidCurrency(sqs, queueUrl, run);
  const reader = { name: 'test', roles: rolesFrom(['dlq:read']) };
  await waitFor('the invalid event in the index', async () =>
    (await console_.messages(reader, DLQ, await runFilter(run))).length === 1 ? true : undefined,
  );

  /** Opens the page in a fresh tab, signs in as `email` and opens the refused message. */
  const openAs = async (email: RegExp, at: Page) => {
    await at.goto(PAGE);
    await at.getByRole('button', { name: 'Sign in' }).click();
    await at.getByLabel(email).check();
    await at.getByRole('button', { name: 'Sign in' }).click();
    await at.getByRole('button', { name: `Why messages failed in ${DLQ}` }).click();
    const group = at.locator('#groups tbody tr', { hasText: 'data.currency' });
    await group.getByRole('button', { name: 'Messages of this group' }).click();
    await at.locator('#messages tbody button').first().click();
  };

  // An operator, signed in in a tab of their own: the page offers no fix, and says why; it offers the export, which
  // the operator may do.
  const operator = await (await browser.newContext()).newPage();
  await openAs(/ops\.operator@example\.com/, operator);
  await operator.getByText('Signed in as ops.operator@example.com.').waitFor();
  await operator.getByText(/may not edit LoanApproved messages: it takes the role dlq:edit:LoanApproved/).waitFor();
  expect(await operator.getByRole('button', { name: 'Check and send' }).isVisible()).toBe(false);
  expect(await operator.locator('#export').isVisible()).toBe(true);
  await operator.screenshot({ path: path.join(ARTIFACTS, '8-fix-not-offered-to-an-operator.png'), fullPage: true });
  await operator.context().close();

  // A viewer (dlq:read only) is offered neither a dry run, a redrive, an export nor a fix.
  const viewer = await (await browser.newContext()).newPage();
  await openAs(/ops\.viewer@example\.com/, viewer);
  await viewer.getByText(/may not edit LoanApproved messages/).waitFor();
  expect(await viewer.getByRole('button', { name: /Dry run of|Redrive this/ }).count()).toBe(0);
  expect(await viewer.locator('#export').isVisible()).toBe(false);
  expect(await viewer.getByRole('button', { name: 'Check and send' }).isVisible()).toBe(false);
  await viewer.screenshot({ path: path.join(ARTIFACTS, '8b-a-viewer-is-offered-only-looking.png'), fullPage: true });
  await viewer.context().close();

  const editor = await (await browser.newContext()).newPage();
  await openAs(/ops\.editor@example\.com/, editor);
  await editor.getByLabel('Field in data').fill('currency');
  await editor.getByLabel('New value').fill('GBP');
  await editor.getByRole('button', { name: 'Check and send' }).click();
  await editor.getByText('Sent again with data.currency changed.').waitFor();
  await editor
    .locator('#audit tbody tr', { hasText: 'fix-and-resend' })
    .filter({ hasText: 'ops.editor@example.com' })
    .first()
    .waitFor();
  await editor.screenshot({ path: path.join(ARTIFACTS, '9-fixed-by-an-editor.png'), fullPage: true });
  await waitFor('the fixed event at Meta', async () => ((await metaCounts()).unique >= 1 ? true : undefined));
  expect(await metaCounts()).toMatchObject({ unique: 1, duplicates: 0 });
  expect(await queueCounts(sqs, dlqUrl)).toEqual({ waiting: 0, hidden: 0 });
});
