/** What every command of the console's command line shares: its options, its context, the small formatters. */
import { type parseArgs } from 'node:util';

import { type ConsoleStores } from '../composition-root';

import { type DeadLetterConsole } from '../domain/console';
import { type Actor } from '../domain/access';
import type { DataEdit } from '../domain/operations';

export const USAGE =
  'usage: dlq <queues|messages|show|groups|redrive|fix|export|purge|audit|sweep> [<dlq>] [options] (see src/cli.ts)';

export const options = {
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

export const age = (ms: number | undefined): string =>
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

export const clip = (text: string, width: number): string =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text;

export const positiveNumber = (text: string | undefined, name: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${text}"`);
  return n;
};

/** What every command is handed: the console, the caller, the options, and how to print. */
export interface CommandContext {
  console_: DeadLetterConsole;
  stores: ConsoleStores;
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
