/**
 * The console's operations, one library for its three faces (the command line, the HTTP API, the page): the DLQs
 * with their depth, age and trend; the dead letters, masked; their groups; a redrive's plan, its dry run and its
 * execution; the audit trail. Everything it shows comes from the index, so looking never receives a message.
 */
import { anyContractReader, maskMessageBody } from '@backbone/shared';
import {
  describeFilter,
  destinationsOf,
  groupDeadLetters,
  matchesFilter,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterGroup,
} from './dead-letters';
import type { AuditTrail, DeadLetterIndex, DeadLetterQueue, QueuePort, RedriveLocks } from './ports';
import {
  DEFAULT_REDRIVE_OPTIONS,
  executeRedrive,
  planRedrive,
  type RedriveOptions,
  type RedriveOutcome,
  type RedrivePlan,
  type RedriveProgress,
} from './redrive';

export interface DeadLetterQueueView extends DeadLetterQueue {
  indexed: number;
  /** The oldest dead letter's failure time, and how long ago that was. */
  oldestFailedAt?: string;
  oldestAgeMs?: number;
  /** Dead letters of the last hour against the hour before. */
  lastHour: number;
  hourBefore: number;
  trend: 'rising' | 'falling' | 'steady';
}

/** A dead letter as shown: its body with personal data masked (the paths masked listed, never their values). */
export interface DeadLetterView extends Omit<DeadLetter, 'body'> {
  body?: string;
  masked: string[];
  destinations: string[];
}

export interface DryRunResult {
  plan: RedrivePlan;
  /** Would be accepted by their consumer's checks. */
  wouldPass: number;
  /** Would fail again, and why (by reason, with a few ids each). */
  wouldFail: { reason: string; count: number; sample: string[] }[];
}

/** Checks a message the way its consumer would before it is sent (the contract; a destination's own rules). */
export type ConsumerCheck = (letter: DeadLetter) => string | undefined;

/** Every consumer checks the contract first: an envelope that does not parse fails again, for the same reason. */
export const contractCheck: ConsumerCheck = (letter) => {
  if (letter.body === undefined) return undefined;
  try {
    anyContractReader.read(letter.body);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

const HOUR_MS = 3_600_000;

export interface ConsoleDependencies {
  queues: QueuePort;
  index: DeadLetterIndex;
  locks: RedriveLocks;
  audit: AuditTrail;
  checks?: readonly ConsumerCheck[];
  now?: () => number;
}

export function createDeadLetterConsole(dependencies: ConsoleDependencies) {
  const { queues, index, audit } = dependencies;
  const now = dependencies.now ?? (() => Date.now());
  const checks = dependencies.checks ?? [contractCheck];

  const findQueue = async (name: string): Promise<DeadLetterQueue> => {
    const all = await queues.deadLetterQueues();
    const dlq = all.find((q) => q.name === name);
    if (!dlq)
      throw new Error(`no DLQ named ${name}; the stage's DLQs are: ${all.map((q) => q.name).join(', ') || 'none'}`);
    return dlq;
  };

  const view = (letter: DeadLetter): DeadLetterView => {
    const { body, ...rest } = letter;
    const masked = body === undefined ? { text: undefined, masked: [] } : maskMessageBody(body);
    return {
      ...rest,
      ...(masked.text !== undefined ? { body: masked.text } : {}),
      masked: masked.masked,
      destinations: destinationsOf(letter.reason),
    };
  };

  return {
    async queues(): Promise<DeadLetterQueueView[]> {
      const at = now();
      return Promise.all(
        (await queues.deadLetterQueues()).map(async (dlq) => {
          const letters = await index.list(dlq.name);
          const times = letters.map((l) => Date.parse(l.failedAt)).sort((a, b) => a - b);
          const lastHour = times.filter((t) => at - t <= HOUR_MS).length;
          const hourBefore = times.filter((t) => at - t > HOUR_MS && at - t <= 2 * HOUR_MS).length;
          return {
            ...dlq,
            indexed: letters.length,
            ...(times.length > 0
              ? { oldestFailedAt: new Date(times[0]!).toISOString(), oldestAgeMs: at - times[0]! }
              : {}),
            lastHour,
            hourBefore,
            trend: lastHour > hourBefore ? 'rising' : lastHour < hourBefore ? 'falling' : 'steady',
          } satisfies DeadLetterQueueView;
        }),
      );
    },

    async messages(dlq: string, filter: DeadLetterFilter = {}, limit = 100): Promise<DeadLetterView[]> {
      await findQueue(dlq);
      const at = now();
      return (await index.list(dlq))
        .filter((l) => matchesFilter(l, filter, at))
        .sort((a, b) => b.failedAt.localeCompare(a.failedAt))
        .slice(0, limit)
        .map(view);
    },

    async groups(dlq: string, filter: DeadLetterFilter = {}): Promise<DeadLetterGroup[]> {
      await findQueue(dlq);
      const at = now();
      return groupDeadLetters((await index.list(dlq)).filter((l) => matchesFilter(l, filter, at)));
    },

    async plan(dlq: string, filter: DeadLetterFilter = {}): Promise<RedrivePlan> {
      return planRedrive(index, await findQueue(dlq), filter, now());
    },

    /** Passes each planned message through its consumer's checks; nothing is sent. Audited. */
    async dryRun(plan: RedrivePlan, actor: string): Promise<DryRunResult> {
      const failing = new Map<string, { count: number; sample: string[] }>();
      let wouldPass = 0;
      for (const letter of plan.selected) {
        const problem = checks.map((check) => check(letter)).find((p) => p !== undefined);
        if (problem === undefined) {
          wouldPass++;
          continue;
        }
        const entry = failing.get(problem) ?? { count: 0, sample: [] };
        entry.count++;
        if (entry.sample.length < 3) entry.sample.push(letter.messageId);
        failing.set(problem, entry);
      }
      const wouldFail = [...failing.entries()]
        .map(([reason, { count, sample }]) => ({ reason, count, sample }))
        .sort((a, b) => b.count - a.count);
      await audit.append({
        at: new Date(now()).toISOString(),
        actor,
        action: 'dry-run',
        dlq: plan.dlq.name,
        target: plan.summary,
        count: plan.selected.length,
        outcome: `${wouldPass} would pass, ${plan.selected.length - wouldPass} would fail again`,
      });
      return { plan, wouldPass, wouldFail };
    },

    async redrive(
      plan: RedrivePlan,
      options: Partial<RedriveOptions> & Pick<RedriveOptions, 'actor' | 'redriveId'>,
      onProgress?: (progress: RedriveProgress) => void,
    ): Promise<RedriveOutcome> {
      return executeRedrive(plan, { ...DEFAULT_REDRIVE_OPTIONS, ...options }, dependencies, onProgress);
    },

    audit: (options: { days: number; limit: number }) => audit.list(options),
    describeFilter,
  };
}

export type DeadLetterConsole = ReturnType<typeof createDeadLetterConsole>;
