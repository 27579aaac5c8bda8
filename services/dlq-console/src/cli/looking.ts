/** The console's commands that look: the DLQs, their dead letters, groups, a sweep, the audit trail. */
import { formatTable } from '@backbone/shared/local';
import { failedDestinations } from '../domain/dead-letters';

import { sweepDeadLetters } from '../domain/indexing';
import { timeUntil } from '../domain/retention';

import { filterFromOptions as filterFrom } from '../domain/dead-letters';
import { age, clip, positiveNumber, type CommandContext } from './context';

export async function queuesCommand({ console_, actor, out }: CommandContext): Promise<number> {
  const queues = await console_.queues(actor);
  out(queues, () =>
    formatTable(
      [
        ['DLQ', 'sources', 'depth', 'in flight', 'indexed', 'oldest', 'last hour', 'hour before', 'trend'],
        ...queues.map((q) => [
          q.name,
          q.sources.join(', '),
          String(q.depth),
          String(q.inFlight),
          String(q.indexed),
          age(q.oldestAgeMs),
          String(q.lastHour),
          String(q.hourBefore),
          q.trend,
        ]),
      ],
      '',
      [1, 8],
    ),
  );
  return 0;
}

export async function messagesCommand({
  console_,
  actor,
  values,
  out,
  needDlq,
  unmask,
}: CommandContext): Promise<number> {
  const messages = await console_.messages(actor, needDlq(), filterFrom(values), {
    limit: positiveNumber(values.limit, 'limit', 50),
    ...unmask,
  });
  out(messages, () => [
    ...formatTable(
      [
        ['message', 'type', 'destination', 'kind', 'failed at', 'receives', 'reason'],
        ...messages.map((m) => [
          m.messageId,
          m.messageType ?? '-',
          failedDestinations(m).join('+') || '-',
          m.kind,
          m.failedAt.slice(0, 19).replace('T', ' '),
          String(m.receiveCount),
          clip(m.reason, 80),
        ]),
      ],
      '',
      [1, 2, 3, 6],
    ),
    `${messages.length} shown${unmask.unmask ? ' unmasked (audited)' : '; personal data masked'} (npm run dlq -- show <dlq> <message> for one in full)`,
  ]);
  return 0;
}

export async function showCommand({ console_, actor, dlq, id, out, needDlq, unmask }: CommandContext): Promise<number> {
  if (!id) throw new Error('show needs a DLQ and a message id: npm run dlq -- messages <dlq> lists them');
  const [message] = await console_.messages(actor, needDlq(), { ids: [id] }, { limit: 1, ...unmask });
  if (!message) throw new Error(`no dead letter ${id} in ${dlq}'s index (redriven or purged already?)`);
  out(message, () => [
    ...Object.entries(message)
      .filter(([key]) => key !== 'body' && key !== 'attributes')
      .map(([key, value]) => `${key.padEnd(18)} ${Array.isArray(value) ? value.join(', ') || '-' : String(value)}`),
    `attributes         ${JSON.stringify(message.attributes)}`,
    unmask.unmask ? 'body (unmasked: audited)' : 'body (masked)',
    message.body ? JSON.stringify(JSON.parse(message.body), null, 2) : '(not indexed: too large)',
  ]);
  return 0;
}

export async function groupsCommand({ console_, actor, values, dlq, out, needDlq }: CommandContext): Promise<number> {
  const groups = await console_.groups(actor, needDlq(), filterFrom(values));
  out(groups, () => [
    ...formatTable(
      [
        ['group', 'count', 'destination', 'type', 'kinds', 'first seen', 'last seen', 'SQS deletes oldest', 'reason'],
        ...groups.map((g) => [
          g.id,
          String(g.count),
          g.destination,
          g.messageType,
          g.kinds.join(','),
          g.firstSeen.slice(0, 19).replace('T', ' '),
          g.lastSeen.slice(0, 19).replace('T', ' '),
          g.oldestDeletedAt ? `${timeUntil(g.oldestDeletedAt, Date.now())}${g.deletedSoon ? ' (!)' : ''}` : '-',
          clip(g.reason, 90),
        ]),
      ],
      '',
      [2, 3, 4, 8],
    ),
    ...(groups.some((g) => g.deletedSoon)
      ? [
          `(!) SQS deletes these groups' oldest letters within a day (the DLQ's retention): redrive or export them first.`,
        ]
      : []),
    `redrive a group: npm run dlq -- redrive ${dlq} --group <group> --dry-run`,
  ]);
  return 0;
}

export async function sweepCommand({ out, stores }: CommandContext): Promise<number> {
  const results = await sweepDeadLetters(stores.queues, stores.index);
  out(results, () =>
    formatTable([
      ['DLQ', 'depth', 'indexed', 'added'],
      ...results.map((r) => [r.dlq, String(r.depth), String(r.indexed), String(r.added)]),
    ]),
  );
  return 0;
}

export async function auditCommand({ console_, actor, values, out }: CommandContext): Promise<number> {
  const entries = await console_.audit(actor, {
    days: positiveNumber(values.days, 'days', 7),
    limit: positiveNumber(values.limit, 'limit', 50),
  });
  out(entries, () =>
    formatTable(
      [
        ['at', 'actor', 'action', 'DLQ', 'count', 'outcome', 'what'],
        ...entries.map((e) => [
          e.at.slice(0, 19).replace('T', ' '),
          e.actor,
          e.action,
          e.dlq,
          String(e.count),
          clip(e.outcome, 50),
          clip(e.target, 80),
        ]),
      ],
      '',
      [1, 2, 3, 5, 6],
    ),
  );
  return 0;
}
