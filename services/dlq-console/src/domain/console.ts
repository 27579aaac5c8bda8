/**
 * The console's operations, one library for its three faces (the command line, the HTTP API, the page): the DLQs
 * with their depth, age and trend; the dead letters, masked; their groups; a redrive's plan, its dry run and its
 * execution; the audit trail. Everything it shows comes from the index, so looking never receives a message.
 */
import { createHash, randomUUID } from 'node:crypto';
import { maskMessageBody } from './contract-registry';
import { type RedriveRequested } from '../../contracts';
import { AccessDeniedError, requireRole, type Actor } from './access';
import { queueViewOf, type DeadLetterQueueView } from './queue-view';
import { createDryRunner, type DryRunResult } from './dry-run';
import {
  describeFilter,
  filterFromOptions,
  failedDestinations,
  groupDeadLetters,
  matchesFilter,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterGroup,
} from './dead-letters';
import { editedBody, editedFields, fixedAttributes, takeFromDlq, toCsv, type DataEdit } from './operations';
import type {
  AuditEntry,
  AuditTrail,
  DeadLetterIndex,
  DeadLetterQueue,
  DeliveryRecords,
  QueuePort,
  RedriveJobs,
  RedriveLocks,
  RedriveRecord,
  RedriveRecords,
} from './ports';
import {
  DEFAULT_REDRIVE_OPTIONS,
  executeRedrive,
  holdingLock,
  planRedrive,
  RedriveRefusedError,
  type RedriveOptions,
  type RedriveOutcome,
  type RedrivePlan,
  type RedriveProgress,
} from './redrive';

export type { DryRunResult } from './dry-run';
export type { DeadLetterQueueView } from './queue-view';

/** A dead letter as shown: its body with personal data masked (the paths masked listed, never their values). */
export interface DeadLetterView extends Omit<DeadLetter, 'body'> {
  body?: string;
  masked: string[];
}

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
  now?: () => number;
}

export function createDeadLetterConsole(dependencies: ConsoleDependencies) {
  const { queues, index, audit, locks } = dependencies;
  const now = dependencies.now ?? (() => Date.now());
  const dryRuns = createDryRunner(dependencies.deliveries);

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
    };
  };

  const audited = (entry: Omit<AuditEntry, 'at'>) => audit.append({ at: new Date(now()).toISOString(), ...entry });

  /** The plan of what `filter` selects, if it is still what the person confirmed; else StaleConfirmationError. */
  const confirmedPlan = async (dlq: string, filter: DeadLetterFilter, confirm: string): Promise<RedrivePlan> => {
    const plan = await planRedrive(index, await findQueue(dlq), filter, now());
    if (plan.summary !== confirm) throw new StaleConfirmationError(plan);
    return plan;
  };

  /** The dead letters a filter selects, newest first, masked unless the actor may and does ask to unmask. */
  const select = async (dlq: string, filter: DeadLetterFilter): Promise<DeadLetter[]> => {
    await findQueue(dlq);
    const at = now();
    return (await index.list(dlq))
      .filter((l) => matchesFilter(l, filter, at))
      .sort((a, b) => b.failedAt.localeCompare(a.failedAt));
  };

  const reveal = async (
    actor: Actor,
    dlq: string,
    letters: DeadLetter[],
    unmask: { reason: string } | undefined,
    doing: string,
  ): Promise<DeadLetterView[]> => {
    if (!unmask) return letters.map(view);
    requireRole(actor, 'dlq:unmask', 'see personal data');
    if (unmask.reason.trim().length < 5)
      throw new AccessDeniedError('unmasking needs a reason (a few words: the ticket, the fix being made)');
    await audited({
      actor: actor.name,
      action: 'unmask',
      dlq,
      target: `${letters.length} message(s) ${doing}`,
      count: letters.length,
      outcome: 'shown unmasked',
      detail: { reason: unmask.reason, messages: letters.slice(0, 20).map((l) => l.messageId) },
    });
    return letters.map((letter) => ({
      ...view(letter),
      ...(letter.body !== undefined ? { body: letter.body } : {}),
      masked: [],
    }));
  };

  return {
    async queues(actor: Actor): Promise<DeadLetterQueueView[]> {
      requireRole(actor, 'dlq:read', 'see the DLQs');
      const at = now();
      return Promise.all(
        (await queues.deadLetterQueues()).map(async (dlq) => queueViewOf(dlq, await index.list(dlq.name), at)),
      );
    },

    async messages(
      actor: Actor,
      dlq: string,
      filter: DeadLetterFilter = {},
      options: { limit?: number; unmask?: { reason: string } } = {},
    ): Promise<DeadLetterView[]> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      const letters = (await select(dlq, filter)).slice(0, options.limit ?? 100);
      return reveal(actor, dlq, letters, options.unmask, 'looked at');
    },

    async groups(actor: Actor, dlq: string, filter: DeadLetterFilter = {}): Promise<DeadLetterGroup[]> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      return groupDeadLetters(await select(dlq, filter));
    },

    async plan(actor: Actor, dlq: string, filter: DeadLetterFilter = {}): Promise<RedrivePlan> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      return planRedrive(index, await findQueue(dlq), filter, now());
    },

    /**
     * Asks of each planned message what its consumer would do with it now (see consumer-checks.ts), and which need
     * no redrive (delivered since); nothing is sent. Audited.
     */
    async dryRun(actor: Actor, plan: RedrivePlan): Promise<DryRunResult> {
      requireRole(actor, 'dlq:redrive', 'dry-run a redrive');
      const result = await dryRuns.dryRun(plan, new Date(now()));
      const { wouldPass, alreadyDelivered } = result;
      await audited({
        actor: actor.name,
        action: 'dry-run',
        dlq: plan.dlq.name,
        target: plan.summary,
        count: plan.selected.length,
        outcome:
          `${wouldPass} would pass, ${result.wouldFail.reduce((n, f) => n + f.count, 0)} would fail again` +
          (alreadyDelivered.count > 0 ? `, ${alreadyDelivered.count} delivered already` : ''),
      });
      return result;
    },

    async redrive(
      actor: Actor,
      plan: RedrivePlan,
      options: Partial<Omit<RedriveOptions, 'actor'>> & Pick<RedriveOptions, 'redriveId'>,
      onProgress?: (progress: RedriveProgress) => void,
    ): Promise<RedriveOutcome> {
      requireRole(actor, 'dlq:redrive', 'redrive');
      return executeRedrive(
        plan,
        {
          ...DEFAULT_REDRIVE_OPTIONS,
          ...options,
          actor: actor.name,
          alreadyDelivered: await dryRuns.alreadyDeliveredOf(plan.selected),
        },
        dependencies,
        onProgress,
      );
    },

    /**
     * Edits one dead letter's data, checks it against its contract, and sends it back to its source queue (then
     * deletes it from the DLQ), under the DLQ's redrive lock. Only someone allowed to edit its type may.
     */
    async fixAndResend(
      actor: Actor,
      dlq: string,
      messageId: string,
      edits: readonly DataEdit[],
    ): Promise<{ sent: boolean; newMessageId?: string; fields: string[] }> {
      const queue = await findQueue(dlq);
      const letter = (await index.list(dlq)).find((l) => l.messageId === messageId);
      if (!letter) throw new Error(`no dead letter ${messageId} in ${dlq}'s index (redriven or purged already?)`);
      requireRole(
        actor,
        `dlq:edit:${letter.messageType ?? '(untyped)'}`,
        `edit ${letter.messageType ?? 'untyped'} messages`,
      );
      const body = editedBody(letter, edits);
      const fields = editedFields(edits);
      const holder = `fix:${randomUUID()}`;
      let newMessageId: string | undefined;
      return holdingLock(locks, dlq, { holder, leaseMs: EDIT_LEASE_MS }, busy(dlq, 'fix this message'), async () => {
        const missing = await takeFromDlq(queues, queue, new Set([messageId]), async (received) => {
          newMessageId = await queues.send(letter.sourceQueue, {
            body,
            attributes: fixedAttributes(received, holder),
            ...(received.groupId
              ? { groupId: received.groupId, deduplicationId: createHash('sha256').update(holder).digest('hex') }
              : {}),
          });
          await queues.delete(dlq, received.receiptHandle);
        });
        await index.remove(dlq, [messageId]);
        await audited({
          actor: actor.name,
          action: 'fix-and-resend',
          dlq,
          target: `message ${messageId} (${letter.messageType ?? 'untyped'})`,
          count: missing.length === 0 ? 1 : 0,
          outcome: missing.length === 0 ? 'sent' : 'not in the DLQ any more',
          detail: { fields },
        });
        return { sent: missing.length === 0, ...(newMessageId ? { newMessageId } : {}), fields };
      });
    },

    /** The dead letters a filter selects as JSON lines or CSV: masked, unless the actor may unmask and says why. */
    async exportLetters(
      actor: Actor,
      dlq: string,
      filter: DeadLetterFilter,
      options: { format: 'jsonl' | 'csv'; unmask?: { reason: string } },
    ): Promise<{ text: string; count: number; masked: boolean }> {
      requireRole(actor, 'dlq:export', 'export dead letters');
      const letters = await select(dlq, filter);
      const shown = await reveal(actor, dlq, letters, options.unmask, 'exported');
      await audited({
        actor: actor.name,
        action: 'export',
        dlq,
        target: describeFilter(filter),
        count: shown.length,
        outcome: `${options.format}, ${options.unmask ? 'unmasked' : 'masked'}`,
      });
      // A CSV cell holds the destinations' names; JSON lines keep each one's code and message.
      return {
        text:
          options.format === 'csv'
            ? toCsv(shown.map((l) => ({ ...l, destinations: failedDestinations(l).join('+') })))
            : shown.map((row) => JSON.stringify(row)).join('\n') + (shown.length ? '\n' : ''),
        count: shown.length,
        masked: !options.unmask,
      };
    },

    /**
     * Deletes what the filter selects from the DLQ for good, under its redrive lock, if it is still what the person
     * confirmed (`confirm`: the plan summary they were shown); else StaleConfirmationError with the new plan. Audited.
     */
    async purge(
      actor: Actor,
      dlqName: string,
      filter: DeadLetterFilter,
      confirm: string,
    ): Promise<{ deleted: number; notFound: number }> {
      requireRole(actor, 'dlq:purge', 'purge dead letters');
      const plan = await confirmedPlan(dlqName, filter, confirm);
      const dlq = plan.dlq.name;
      const holder = `purge:${randomUUID()}`;
      let deleted = 0;
      return holdingLock(locks, dlq, { holder, leaseMs: EDIT_LEASE_MS }, busy(dlq, 'purge'), async () => {
        const ids = new Set(plan.selected.map((l) => l.messageId));
        const missing = await takeFromDlq(queues, plan.dlq, ids, async (received) => {
          await queues.delete(dlq, received.receiptHandle);
          deleted++;
        });
        await index.remove(dlq, [...ids]);
        await audited({
          actor: actor.name,
          action: 'purge',
          dlq,
          target: plan.summary,
          count: deleted,
          outcome: `deleted ${deleted}${missing.length > 0 ? `, ${missing.length} no longer in the DLQ` : ''}`,
        });
        return { deleted, notFound: missing.length };
      });
    },

    /**
     * Asks for a redrive of what `filter` selects, to be run by the console's worker (a redrive can outlast a web
     * request), if the plan is still what the person confirmed. Returns its id, to follow with redriveStatus.
     */
    async requestRedrive(
      actor: Actor,
      dlqName: string,
      filter: Record<string, string | boolean>,
      confirm: string,
      options: RedriveRequested['options'],
    ): Promise<RedriveRecord> {
      requireRole(actor, 'dlq:redrive', 'redrive');
      const { jobs, records } = dependencies;
      if (!jobs || !records) throw new Error('this console runs no redrive worker: redrive from the command line');
      const plan = await confirmedPlan(dlqName, filterFromOptions(filter), confirm);
      const record: RedriveRecord = {
        redriveId: randomUUID(),
        dlq: dlqName,
        actor: actor.name,
        summary: plan.summary,
        state: 'queued',
        updatedAt: new Date(now()).toISOString(),
      };
      await records.put(record);
      await jobs.enqueue({
        redriveId: record.redriveId,
        dlq: dlqName,
        filter,
        confirm,
        actor: { name: actor.name, roles: [...actor.roles] },
        options,
      });
      return record;
    },

    async redriveStatus(actor: Actor, redriveId: string): Promise<RedriveRecord | undefined> {
      requireRole(actor, 'dlq:read', 'follow a redrive');
      return dependencies.records?.get(redriveId);
    },

    /** The worker's part: plans again, and runs the redrive if the plan is unchanged, recording its progress. */
    async runRequestedRedrive(job: RedriveRequested): Promise<RedriveRecord> {
      const records = dependencies.records!;
      const actor: Actor = { name: job.actor.name, roles: new Set(job.actor.roles) };
      const base = { redriveId: job.redriveId, dlq: job.dlq, actor: actor.name, summary: job.confirm };
      const record = (fields: Partial<RedriveRecord>): RedriveRecord => ({
        ...base,
        state: 'running',
        ...fields,
        updatedAt: new Date(now()).toISOString(),
      });
      try {
        requireRole(actor, 'dlq:redrive', 'redrive');
        let plan: RedrivePlan;
        try {
          plan = await confirmedPlan(job.dlq, filterFromOptions(job.filter), job.confirm);
        } catch (error) {
          if (!(error instanceof StaleConfirmationError)) throw error;
          const because = `the plan changed before it ran: now ${error.plan.summary}`;
          const refused = record({ state: 'refused', because });
          await records.put(refused);
          return refused;
        }
        let written = 0;
        let pending: Promise<void> = Promise.resolve();
        const outcome = await executeRedrive(
          plan,
          {
            ...DEFAULT_REDRIVE_OPTIONS,
            actor: actor.name,
            redriveId: job.redriveId,
            canary: job.options.canary,
            canaryWatchMs: job.options.canaryWatchSeconds * 1_000,
            messagesPerSecond: job.options.messagesPerSecond,
            alreadyDelivered: await dryRuns.alreadyDeliveredOf(plan.selected),
          },
          dependencies,
          (progress) => {
            // At most one record a second: the page polls it.
            if (now() - written < 1_000) return;
            written = now();
            pending = pending.then(() => records.put(record({ progress })));
          },
        );
        await pending;
        const done = record({
          state: outcome.stage === 'done' ? 'done' : 'stopped',
          progress: outcome,
          ...(outcome.stoppedBecause ? { because: outcome.stoppedBecause } : {}),
        });
        await records.put(done);
        return done;
      } catch (error) {
        const failed = record({ state: 'failed', because: error instanceof Error ? error.message : String(error) });
        await records.put(failed);
        if (error instanceof AccessDeniedError || error instanceof RedriveRefusedError) return failed;
        throw error;
      }
    },

    audit(actor: Actor, options: { days: number; limit: number }): Promise<AuditEntry[]> {
      requireRole(actor, 'dlq:read', 'see the audit trail');
      return audit.list(options);
    },
  };
}

export type DeadLetterConsole = ReturnType<typeof createDeadLetterConsole>;

/** What a filter selects changed between what a person confirmed and the moment it would act. */
/** How long a fix or a purge holds the DLQ's lock at most (each takes seconds). */
const EDIT_LEASE_MS = 60_000;

const busy = (dlq: string, action: string): string => `a redrive of ${dlq} is running; ${action} when it has finished`;

export class StaleConfirmationError extends Error {
  constructor(readonly plan: RedrivePlan) {
    super('what the filter selects has changed since it was confirmed; look at the new plan and confirm it');
    this.name = 'StaleConfirmationError';
  }
}
