/**
 * Demo traffic for marketing-events: a burst of post-install events through publishMarketingEvents,
 * a few of them bad (one refused by its contract before sending, two a buggy producer slips past it,
 * two too old for Meta and GA4), delivered by the dispatcher to the marketing-platform sandbox; then
 * what each platform received and what went to the DLQ, and why. The customers' identifiers are written as
 * forms in our markets write them: most are made canonical, a few cannot be and are left out with a warning, and
 * the match-key coverage each platform received is printed.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { ATTRIBUTE, awsClientSettings, awsEnvironmentSchema, createSqsClient, loadConfig } from '@backbone/shared';
import { publishMarketingEvents, type MarketingEventInput } from '../contracts';
import type { LocalContext } from '@backbone/shared/local';
import { peekMessages, waitFor } from '@backbone/shared/testing';
import { CUSTOMERS_AS_WRITTEN, SAMPLE_ANDROID_DEVICE } from '../contracts/testing';
import { countsFor, matchKeyCoverage, sandboxClient, type Platform } from './sandbox';

const BURST = 200;

export async function demoMarketing(context: LocalContext, sandboxUrl: string): Promise<string[]> {
  const names = (await context.serverless()).custom.names as { eventsQueue: string; eventsDlq: string };
  const sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema, context.env)));
  const lines: string[] = [];
  const run = randomUUID().slice(0, 8);
  try {
    const sandbox = sandboxClient(sandboxUrl);
    const before = await sandbox.received();
    const events: MarketingEventInput[] = Array.from({ length: BURST }, (_, i) => {
      const customer = {
        customerId: `demo-${run}-${i}`,
        ...CUSTOMERS_AS_WRITTEN[i % CUSTOMERS_AS_WRITTEN.length],
        email: i % 10 === 9 ? `Demo ${i} <mailto:demo${i}@example.com>` : `demo${i}@example.com`,
      };
      const common = {
        customer,
        device: { ...SAMPLE_ANDROID_DEVICE, appInstanceId: randomUUID().replace(/-/g, '') },
      };
      return i % 2 === 0
        ? { type: 'RegistrationCompleted', data: { ...common, method: 'email' } }
        : {
            type: 'LoanApproved',
            data: {
              ...common,
              applicationId: `a-${run}-${i}`,
              loanId: `l-${run}-${i}`,
              product: 'personal-loan',
              amount: 1500,
              currency: 'GBP',
            },
            // Two approvals from ten days ago: past Meta's 7 days and GA4's 72 hours.
            occurredAt: i < 4 ? new Date(Date.now() - 10 * 86_400_000) : undefined,
          };
    });
    // Refused before sending: the contract wants a three-letter currency.
    const refused = {
      ...events[3]!,
      data: { ...(events[3]!.data as object), currency: 'pounds' },
    } as MarketingEventInput;
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.eventsQueue }))).QueueUrl!;
    const results = await publishMarketingEvents({ sqs, queueUrl }, [...events, refused]);
    const invalid = results.filter((r) => r.status === 'invalid');
    lines.push(
      `published ${results.filter((r) => r.status === 'sent').length} post-install events; refused before sending: ${invalid.length}` +
        (invalid[0] && 'reason' in invalid[0] ? ` (${invalid[0].reason.slice(0, 110)}...)` : ''),
    );
    const warnings = results.flatMap((r) => (r.status === 'sent' ? (r.warnings ?? []) : []));
    const byField = new Map<string, { count: number; reason: string }>();
    for (const { field, reason } of warnings)
      byField.set(field, { count: (byField.get(field)?.count ?? 0) + 1, reason });
    lines.push(`identifiers left out of sent events (the event still went): ${warnings.length}`);
    for (const [field, { count, reason }] of byField) lines.push(`  ${field}: ${count}, e.g. ${reason}`);
    // A producer that bypasses the contracts.
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: '1', MessageBody: `{"id": "demo-${run}-truncated"` },
          {
            Id: '2',
            MessageBody: JSON.stringify({
              id: `demo-${run}-nocustomer`,
              type: 'LoanApproved',
              version: 1,
              occurredAt: new Date().toISOString(),
              correlationId: run,
              data: { loanId: 'x' },
            }),
          },
        ],
      }),
    );
    const after = await waitFor(
      'the burst at the sandbox',
      async () => {
        const now = await sandbox.received();
        const delta = (p: Platform) => countsFor(now, p).unique - countsFor(before, p).unique;
        return delta('webhook') >= BURST && delta('meta') >= BURST - 2 && delta('ga4') >= BURST - 2 ? now : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    lines.push('match-key coverage (share of the events each platform received that carried the identifier):');
    lines.push(...matchKeyCoverage(before, after, ['meta', 'ga4', 'webhook']).lines);
    for (const platform of ['meta', 'ga4', 'webhook'] as const)
      lines.push(
        `  ${platform.padEnd(8)} received ${countsFor(after, platform).unique - countsFor(before, platform).unique} events, ` +
          `duplicates ${countsFor(after, platform).duplicates - countsFor(before, platform).duplicates}` +
          (countsFor(after, platform).deduplicates ? ' (the platform deduplicates them)' : ' (counted twice there)'),
      );
    const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: names.eventsDlq }))).QueueUrl!;
    const dead = await waitFor('the bad events in the DLQ', async () => {
      const ours = (await peekMessages(sqs, dlqUrl)).filter((m) => m.Body?.includes(run));
      return ours.length >= 4 ? ours : undefined;
    });
    lines.push(`dead-letter queue (${dead.length} of this run):`);
    for (const message of dead)
      lines.push(
        `  - ${(message.MessageAttributes?.[ATTRIBUTE.failureReason]?.StringValue ?? '(no reason)').slice(0, 160)}`,
      );
    return lines;
  } finally {
    sqs.destroy();
  }
}
