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
 * Who may do what (src/domain/access.ts; who is asking: src/cli/identity.ts): in AWS, the caller's AWS identity with
 * the roles its IAM role is tagged with (dlq-console-roles); locally, the roles in DLQ_ROLES (comma-separated; default
 * dlq:read,dlq:redrive), as the person named by --actor, DLQ_ACTOR or the login name. show, messages and export take --unmask "<why>"
 * (role dlq:unmask; audited); fix needs dlq:edit:<type>, export dlq:export, purge dlq:purge.
 *
 * Filters: --group <id> --reason <text> --type <type> --destination <name> --kind <kind> --older-than <30m|2h|1d>
 *          --newer-than <...> --ids <id,id> --search <text in the body>. --json prints JSON instead of tables.
 * Exits 1 when a command fails (a redrive that stopped on its own included).
 */
import { userInfo } from 'node:os';

import { createInterface } from 'node:readline/promises';

import { parseArgs } from 'node:util';

import { openConsoleStores, type ConsoleStores } from './composition-root';

import { createDeadLetterConsole } from './domain/console';
import { awsCallerIdentities, commandLineActor } from './cli/identity';

import { exportLettersCommand, fixCommand, purgeCommand, redriveCommand } from './cli/changing';

import { options, USAGE, type CommandContext } from './cli/context';

import { auditCommand, groupsCommand, messagesCommand, queuesCommand, showCommand, sweepCommand } from './cli/looking';

export { parseEdit } from './cli/context';

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

/** Runs one command; `stores` are the console's ports (its queues and tables unless a test gives others). */
export async function main(
  argv: string[],
  print: (line: string) => void = console.log,
  openStores: () => ConsoleStores = openConsoleStores,
): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, dlq, id] = positionals;
  const json = values.json === true;
  const out = (data: unknown, lines: () => string[]) =>
    json ? print(JSON.stringify(data, null, 2)) : lines().forEach((l) => print(l));
  const needDlq = () => {
    if (!dlq) throw new Error(`${command} needs a DLQ's name: npm run dlq -- queues lists them`);
    return dlq;
  };
  const stores = openStores();
  const console_ = createDeadLetterConsole(stores);
  const actor = await commandLineActor({
    local: process.env['STAGE'] === 'local',
    ...(values.actor !== undefined ? { actorOption: values.actor } : {}),
    env: process.env,
    username: userInfo().username,
    identities: () => awsCallerIdentities(process.env['AWS_REGION']),
  });
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
