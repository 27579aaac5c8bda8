#!/usr/bin/env -S node --import tsx
/**
 * The dead-letter console from a terminal (locally: npm run dlq -- <command>; anywhere: the `dlq` bin with the
 * console's environment). Every command reads the index, never a DLQ, except redrive, which moves what it says.
 *
 *   queues                                 every DLQ of the stage: sources, depth, oldest, last hour, trend
 *   messages <dlq> [filters] [--limit N]   the dead letters, newest first (personal data masked)
 *   show <dlq> <message id>                one dead letter in full (masked)
 *   groups <dlq> [filters]                 by normalised reason, destination and type, largest first
 *   redrive <dlq> [filters] [--dry-run] [--yes] [--canary N] [--rate N] [--watch S] [--visibility S] [--lease 60s]
 *                                          what would move, then (confirmed) move it: a canary, watched for S seconds,
 *                                          then the rest at N messages/s; stops if they fail again
 *   fix <dlq> <message id> --set <path>=<json or text> [--set ...]
 *                                          edit one message's data, check it against its contract, send it back
 *   export <dlq> [filters] [--format jsonl|csv] [--out <file>]
 *                                          the dead letters, masked (unless --unmask "<why>")
 *   purge <dlq> [filters] [--yes]          delete them from the DLQ for good (confirmed)
 *   audit [--days N] [--limit N]           who did what, newest first
 *   sweep                                  index what the DLQs hold and the index lacks (as the scheduled sweeper)
 *
 * Who may do what (src/domain/access.ts): the roles in DLQ_ROLES (comma-separated; default dlq:read,dlq:redrive),
 * as the person named by --actor, DLQ_ACTOR or the login name. show, messages and export take --unmask "<why>"
 * (role dlq:unmask; audited); fix needs dlq:edit:<type>, export dlq:export, purge dlq:purge.
 *
 * Filters: --group <id> --reason <text> --type <type> --destination <name> --kind <kind> --older-than <30m|2h|1d>
 *          --newer-than <...> --ids <id,id> --search <text in the body>. --json prints JSON instead of tables.
 * Exits 1 when a command fails (a redrive that stopped on its own included).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { formatTable, progressBar } from '@backbone/shared/local';
import { openConsoleStores } from './composition-root';
import { createDeadLetterConsole, type DeadLetterConsole } from './domain/console';
import { failedDestinations } from './domain/dead-letters';
import { sweepDeadLetters } from './domain/indexing';
import { rolesFrom, type Actor } from './domain/access';
import { filterFromOptions as filterFrom, parseDuration } from './domain/dead-letters';
import type { DataEdit } from './domain/operations';
import type { RedrivePlan, RedriveProgress } from './domain/redrive';

const USAGE =
  'usage: dlq <queues|messages|show|groups|redrive|fix|export|purge|audit|sweep> [<dlq>] [options] (see src/cli.ts)';

const options = {
  json: { type: 'boolean' },
  limit: { type: 'string' },
  days: { type: 'string' },
  group: { type: 'string' },
  reason: { type: 'string' },
  type: { type: 'string' },
  destination: { type: 'string' },
  kind: { type: 'string' },
  'older-than': { type: 'string' },
  'newer-than': { type: 'string' },
  ids: { type: 'string' },
  search: { type: 'string' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  canary: { type: 'string' },
  rate: { type: 'string' },
  watch: { type: 'string' },
  visibility: { type: 'string' },
  lease: { type: 'string' },
  actor: { type: 'string' },
  set: { type: 'string', multiple: true },
  format: { type: 'string' },
  out: { type: 'string' },
  unmask: { type: 'string' },
} as const;

const age = (ms: number | undefined): string =>
  ms === undefined
    ? '-'
    : ms < 60_000
      ? `${Math.round(ms / 1000)}s`
      : ms < 3_600_000
        ? `${Math.round(ms / 60_000)}m`
        : ms < 86_400_000
          ? `${(ms / 3_600_000).toFixed(1)}h`
          : `${(ms / 86_400_000).toFixed(1)}d`;

/** "customer.phone=+447700900123" or 'currency="GBP"': a path and a value (JSON when it parses, else text). */
export function parseEdit(text: string): DataEdit {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--set ${text}: write it as <field path>=<value>, such as customer.phone=+447700900123`);
  const raw = text.slice(at + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Plain text.
  }
  return { path: text.slice(0, at), value };
}

const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);

const positiveNumber = (text: string | undefined, name: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${text}"`);
  return n;
};

/** What every command is handed: the console, the caller, the options, and how to print. */
interface CommandContext {
  console_: DeadLetterConsole;
  stores: ReturnType<typeof openConsoleStores>;
  actor: Actor;
  values: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>['values'];
  dlq?: string;
  id?: string;
  json: boolean;
  print: (line: string) => void;
  /** Prints `data` as JSON with --json, else the lines. */
  out: (data: unknown, lines: () => string[]) => void;
  needDlq: () => string;
  unmask: { unmask?: { reason: string } };
  confirm: (question: string) => Promise<boolean>;
}

async function queuesCommand({ console_, actor, out }: CommandContext): Promise<number> {
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

async function messagesCommand({ console_, actor, values, out, needDlq, unmask }: CommandContext): Promise<number> {
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

async function showCommand({ console_, actor, dlq, id, out, needDlq, unmask }: CommandContext): Promise<number> {
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

async function groupsCommand({ console_, actor, values, dlq, out, needDlq }: CommandContext): Promise<number> {
  const groups = await console_.groups(actor, needDlq(), filterFrom(values));
  out(groups, () => [
    ...formatTable(
      [
        ['group', 'count', 'destination', 'type', 'kinds', 'first seen', 'last seen', 'reason'],
        ...groups.map((g) => [
          g.id,
          String(g.count),
          g.destination,
          g.messageType,
          g.kinds.join(','),
          g.firstSeen.slice(0, 19).replace('T', ' '),
          g.lastSeen.slice(0, 19).replace('T', ' '),
          clip(g.reason, 90),
        ]),
      ],
      '',
      [2, 3, 4, 7],
    ),
    `redrive a group: npm run dlq -- redrive ${dlq} --group <group> --dry-run`,
  ]);
  return 0;
}

/** What the consumer would do with each planned message now: printed under the plan; nothing moves. */
async function showDryRun(
  { console_, actor, out }: Pick<CommandContext, 'console_' | 'actor' | 'out'>,
  plan: RedrivePlan,
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

async function redriveCommand({
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
  if (plan.selected.length === 0) {
    out({ plan }, () => lines);
    return 0;
  }
  if (values['dry-run']) return showDryRun({ console_, actor, out }, plan, lines);
  if (!json) lines.forEach((l) => print(l));
  if (!(await confirm(`move ${plan.selected.length} message(s) as planned?`))) {
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
      canaryWatchMs: positiveNumber(values.watch, 'watch', 15) * 1000,
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

async function fixCommand({ console_, actor, values, dlq, id, out, needDlq }: CommandContext): Promise<number> {
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

async function exportLettersCommand({
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

async function purgeCommand({
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
  if (plan.selected.length === 0) return 0;
  if (!(await confirm(`delete ${plan.selected.length} message(s) for good?`))) {
    print('nothing deleted');
    return 1;
  }
  const result = await console_.purge(actor, plan.dlq.name, plan.filter, plan.summary);
  out(result, () => [`deleted ${result.deleted}; ${result.notFound} were no longer in the DLQ`]);
  return 0;
}

async function sweepCommand({ out, stores }: CommandContext): Promise<number> {
  const results = await sweepDeadLetters(stores.queues, stores.index);
  out(results, () =>
    formatTable([
      ['DLQ', 'depth', 'indexed', 'added'],
      ...results.map((r) => [r.dlq, String(r.depth), String(r.indexed), String(r.added)]),
    ]),
  );
  return 0;
}

async function auditCommand({ console_, actor, values, out }: CommandContext): Promise<number> {
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

const COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  queues: queuesCommand,
  messages: messagesCommand,
  show: showCommand,
  groups: groupsCommand,
  redrive: redriveCommand,
  fix: fixCommand,
  export: exportLettersCommand,
  purge: purgeCommand,
  sweep: sweepCommand,
  audit: auditCommand,
};

export async function main(argv: string[], print: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, dlq, id] = positionals;
  const json = values.json === true;
  const out = (data: unknown, lines: () => string[]) =>
    json ? print(JSON.stringify(data, null, 2)) : lines().forEach((l) => print(l));
  const needDlq = () => {
    if (!dlq) throw new Error(`${command} needs a DLQ's name: npm run dlq -- queues lists them`);
    return dlq;
  };
  const stores = openConsoleStores();
  const console_ = createDeadLetterConsole(stores);
  const actor: Actor = {
    name: values.actor ?? process.env['DLQ_ACTOR'] ?? userInfo().username,
    roles: rolesFrom((process.env['DLQ_ROLES'] ?? 'dlq:read,dlq:redrive').split(',')),
  };
  const unmask = values.unmask !== undefined ? { unmask: { reason: values.unmask } } : {};
  const confirm = async (question: string): Promise<boolean> => {
    if (values.yes) return true;
    const answer = await createInterface({ input: process.stdin, output: process.stdout }).question(
      `${question} type "yes" to go on: `,
    );
    return answer.trim() === 'yes';
  };

  const run = COMMANDS[command ?? ''];
  if (!run) throw new Error(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
  return run({
    console_,
    stores,
    actor,
    values,
    json,
    print,
    out,
    needDlq,
    unmask,
    confirm,
    ...(dlq ? { dlq } : {}),
    ...(id ? { id } : {}),
  });
}

if (require.main === module)
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
