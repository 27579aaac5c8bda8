import { AccessDeniedError, auditedActor, requireRole, type Actor } from './access';

import { createDryRunner } from './dry-run';
import type { DeadLetter, DeadLetterFilter } from './dead-letters';
import { everySelected, selectPage, type SelectedPage } from './selection';
import type {
  AuditEntry,
  AuditTrail,
  DeadLetterIndex,
  DeadLetterQueue,
  DeliveryRecords,
  QueuePort,
  RedriveJobs,
  RedriveLocks,
  RedriveRecords,
} from './ports';
import { planRedrive, type Clock, type RedrivePlan } from './redrive';
import { maskedLetter, unmaskedLetter, type DeadLetterView } from './views';
import { StaleConfirmationError } from './console-errors';

export type { DeadLetterView } from './views';

export interface ConsoleDependencies {
  queues: QueuePort;
  index: DeadLetterIndex;
  locks: RedriveLocks;
  audit: AuditTrail;
  /** For redrives asked for through the web API: where they wait for their worker, and how they are recorded. */
  jobs?: RedriveJobs;
  records?: RedriveRecords;
  /** marketing-events' delivery ledger: without it, a dry run knows only the contracts and the platforms' rules. */
  deliveries?: DeliveryRecords;
  /** One clock for the console and its redrives (what it records, and a redrive's pace): the system's by default. */
  clock?: Clock;
}

/**
 * What every operation of the console shares: its ports, its clock, and the helpers that find a DLQ, show a dead
 * letter masked, audit, check a confirmation and select by a filter.
 */
export function createConsoleCore(dependencies: ConsoleDependencies) {
  const { queues, index, audit, locks } = dependencies;
  const now = dependencies.clock?.now ?? (() => Date.now());
  const dryRuns = createDryRunner(dependencies.deliveries, index);

  const findQueue = async (name: string): Promise<DeadLetterQueue> => {
    const all = await queues.deadLetterQueues();
    const dlq = all.find((q) => q.name === name);
    if (!dlq)
      throw new Error(`no DLQ named ${name}; the stage's DLQs are: ${all.map((q) => q.name).join(', ') || 'none'}`);
    return dlq;
  };

  const audited = (entry: Omit<AuditEntry, 'at'>) => audit.append({ at: new Date(now()).toISOString(), ...entry });

  /** The plan of what `filter` selects, if it is still what the person confirmed; else StaleConfirmationError. */
  const confirmedPlan = async (dlq: string, filter: DeadLetterFilter, confirm: string): Promise<RedrivePlan> => {
    const plan = await planRedrive(index, await findQueue(dlq), filter, now());
    if (plan.summary !== confirm) throw new StaleConfirmationError(plan);
    return plan;
  };

  /**
   * A page of the dead letters a filter selects, newest first, bodies included. Its search and reason texts match
   * what the caller may see (the masked body and reason) unless `raw`: only for someone allowed to unmask who gave a
   * reason (see unmaskFor).
   */
  const select = async (
    dlq: string,
    filter: DeadLetterFilter,
    options: { raw?: boolean; limit: number; after?: string },
  ): Promise<SelectedPage & { queue: DeadLetterQueue }> => {
    const queue = await findQueue(dlq);
    const page = await selectPage(index, dlq, filter, {
      limit: options.limit,
      ...(options.after ? { cursor: options.after } : {}),
      raw: options.raw === true,
      now: now(),
      bodies: true,
    });
    return { ...page, queue };
  };

  /** Every dead letter a filter selects, newest first, bodies included (see select). */
  const selectAll = async (dlq: string, filter: DeadLetterFilter, raw = false): Promise<DeadLetter[]> => {
    await findQueue(dlq);
    const letters: DeadLetter[] = [];
    for await (const page of everySelected(index, dlq, filter, { now: now(), raw, bodies: true }))
      letters.push(...page);
    return letters;
  };

  /** Checks that the actor may unmask and gave a reason; then they see, and search, what is there. */
  const unmaskFor = (actor: Actor, unmask: { reason: string } | undefined): boolean => {
    if (!unmask) return false;
    requireRole(actor, 'dlq:unmask', 'see personal data');
    if (unmask.reason.trim().length < 5)
      throw new AccessDeniedError('unmasking needs a reason (a few words: the ticket, the fix being made)');
    return true;
  };

  /**
   * The letters as the actor may see them: masked, or, when they may unmask and gave a reason (checked by
   * unmaskFor), as they are, the unmasking audited with that reason (and the search, when there was one).
   */
  const reveal = async (
    actor: Actor,
    dlq: string,
    letters: DeadLetter[],
    unmask: { reason: string } | undefined,
    doing: string,
    filter: DeadLetterFilter = {},
  ): Promise<DeadLetterView[]> => {
    if (!unmaskFor(actor, unmask)) return letters.map(maskedLetter);
    await audited({
      ...auditedActor(actor),
      action: 'unmask',
      dlq,
      target: `${letters.length} message(s) ${doing}${filter.search !== undefined ? ', found by a body search' : ''}`,
      count: letters.length,
      outcome: 'shown unmasked',
      detail: { reason: unmask!.reason, messages: letters.slice(0, 20).map((l) => l.messageId) },
    });
    return letters.map(unmaskedLetter);
  };
  return {
    dependencies,
    queues,
    index,
    audit,
    locks,
    now,
    dryRuns,
    findQueue,
    unmaskFor,
    audited,
    confirmedPlan,
    select,
    selectAll,
    reveal,
  };
}

export type ConsoleCore = ReturnType<typeof createConsoleCore>;
