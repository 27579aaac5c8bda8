/** The console's commands that change a DLQ: redrive (with its dry run), fix, export, purge. */
import { randomUUID } from 'node:crypto';

import { writeFileSync } from 'node:fs';

import { formatTable, progressBar } from '@backbone/shared/local';

import { filterFromOptions as filterFrom, parseDuration } from '../domain/dead-letters';

import type { RedriveProgress } from '../domain/redrive';
import type { RedrivePlanView } from '../domain/views';

import { clip, parseEdit, positiveNumber, type CommandContext } from './context';

async function showDryRun(
  { console_, actor, out }: Pick<CommandContext, 'console_' | 'actor' | 'out'>,
  plan: RedrivePlanView,
  lines: string[],
): Promise<number> {
  const result = await console_.dryRun(actor, plan);
  const failing = result.wouldFail.reduce((n, f) => n + f.count, 0);
  const at = (ms?: number) => (ms === undefined ? '-' : new Date(ms).toISOString());
  out(result, () => [
    ...lines,
    `dry run: ${result.wouldPass} would pass their consumer's checks, ${failing} would fail again` +
      (result.alreadyDelivered.count > 0
        ? `, ${result.alreadyDelivered.count} delivered already (removed without a send; e.g. ${result.alreadyDelivered.sample.join(', ')})`
        : ''),
    ...(failing > 0
      ? formatTable(
          [
            ['would fail again because', 'count', 'e.g.'],
            ...result.wouldFail.map((f) => [clip(f.reason, 100), String(f.count), f.sample.join(', ')]),
          ],
          '',
          [2],
        )
      : []),
    ...(result.destinations.length > 0
      ? formatTable([
          ['platform', 'last accepted', 'last failed', 'its latest failure'],
          ...result.destinations.map((d) => [
            d.destination,
            at(d.acceptedAt),
            at(d.failedAt),
            clip(d.failure ?? '-', 60),
          ]),
        ])
      : []),
  ]);
  return 0;
}

export async function redriveCommand({
  console_,
  actor,
  values,
  json,
  out,
  needDlq,
  confirm,
  print,
}: CommandContext): Promise<number> {
  const plan = await console_.plan(actor, needDlq(), filterFrom(values));
  const lines = [
    `plan: ${plan.summary}`,
    ...formatTable([['message type', 'count'], ...Object.entries(plan.byType).map(([type, n]) => [type, String(n)])]),
    `sample: ${plan.sample.map((l) => `${l.messageId} (${clip(l.reason, 60)})`).join('; ') || '-'}`,
  ];
  if (plan.selected === 0) {
    out({ plan }, () => lines);
    return 0;
  }
  if (values['dry-run']) return showDryRun({ console_, actor, out }, plan, lines);
  if (!json) lines.forEach((l) => print(l));
  if (!(await confirm(`move ${plan.selected} message(s) as planned?`))) {
    print('not moved');
    return 1;
  }
  const redriveId = randomUUID();
  const outcome = await console_.redrive(
    actor,
    plan,
    {
      redriveId,
      canary: positiveNumber(values.canary, 'canary', 5),
      messagesPerSecond: positiveNumber(values.rate, 'rate', 500),
      // Unless said: long enough for a canary failing again to come back through its source's retries.
      canaryWatchMs: positiveNumber(values.watch, 'watch', plan.canaryWatchSeconds) * 1000,
      // How long a message this redrive holds stays hidden, and its lock lasts, if it stops without finishing.
      ...(values.visibility ? { visibilitySeconds: positiveNumber(values.visibility, 'visibility', 60) } : {}),
      ...(values.lease ? { lockLeaseMs: parseDuration(values.lease) } : {}),
    },
    json
      ? undefined
      : (p: RedriveProgress) =>
          process.stdout.write(
            `\r  ${progressBar(p.sent, p.total)} ${p.sent}/${p.total} sent, ${p.failedAgain} failed again (${p.stage})   `,
          ),
  );
  if (!json) print('');
  out({ redriveId, ...outcome }, () => [
    `redrive ${redriveId}: ${outcome.stage}; ${outcome.sent} sent, ${outcome.failedAgain} failed again, ${outcome.notFound} no longer in the DLQ` +
      (outcome.alreadyDelivered > 0 ? `, ${outcome.alreadyDelivered} delivered already (removed, not sent)` : ''),
    ...(outcome.stoppedBecause ? [`stopped: ${outcome.stoppedBecause}`] : []),
  ]);
  return outcome.stage === 'done' ? 0 : 1;
}

export async function fixCommand({ console_, actor, values, dlq, id, out, needDlq }: CommandContext): Promise<number> {
  if (!id) throw new Error('fix needs a DLQ and a message id: npm run dlq -- messages <dlq> lists them');
  const edits = (values.set ?? []).map(parseEdit);
  const result = await console_.fixAndResend(actor, needDlq(), id, edits);
  out(result, () => [
    result.sent
      ? `sent back as ${result.newMessageId}, with ${result.fields.join(', ')} changed (audited: names, not values)`
      : `${id} is no longer in ${dlq}: nothing sent`,
  ]);
  return result.sent ? 0 : 1;
}

export async function exportLettersCommand({
  console_,
  actor,
  values,
  needDlq,
  unmask,
  print,
}: CommandContext): Promise<number> {
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new Error(`--format ${format}: use jsonl or csv`);
  const exported = await console_.exportLetters(actor, needDlq(), filterFrom(values), { format, ...unmask });
  if (values.out) {
    writeFileSync(values.out, exported.text, { mode: 0o600 });
    print(
      `${exported.count} dead letters written to ${values.out} (${exported.masked ? 'masked' : 'unmasked: audited'})`,
    );
  } else process.stdout.write(exported.text);
  return 0;
}

export async function purgeCommand({
  console_,
  actor,
  values,
  out,
  needDlq,
  confirm,
  print,
}: CommandContext): Promise<number> {
  const plan = await console_.plan(actor, needDlq(), filterFrom(values));
  print(`purge: ${plan.summary.replace(/ back to .*$/, '')}, deleted for good`);
  if (plan.addedForOrder > 0)
    print(
      `  including ${plan.addedForOrder} message(s) your filter did not select, earlier in the same FIFO groups ` +
        `(a FIFO queue hands a group's messages out in order only): ${plan.addedForOrderIds.join(', ')}`,
    );
  if (plan.selected === 0) return 0;
  if (!(await confirm(`delete ${plan.selected} message(s) for good?`))) {
    print('nothing deleted');
    return 1;
  }
  const result = await console_.purge(actor, plan.dlq, plan.filter, plan.summary);
  out(result, () => [`deleted ${result.deleted}; ${result.notFound} were no longer in the DLQ`]);
  return 0;
}
