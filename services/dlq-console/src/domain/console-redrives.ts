/** Redrives: run here (the command line), asked for through the API and run by the worker, followed. */
import { randomUUID } from 'node:crypto';
import { PermanentError } from '@backbone/shared';
import { type RedriveRequest, type RedriveRequested } from '../../contracts';

import { AccessDeniedError, auditedActor, requireRole, type Actor } from './access';

import { filterFromOptions } from './dead-letters';
import type { RedriveRecord } from './ports';
import {
  canaryWatchSecondsFor,
  DEFAULT_REDRIVE_OPTIONS,
  executeRedrive,
  RedriveRefusedError,
  type RedriveOptions,
  type RedriveOutcome,
  type RedrivePlan,
  type RedriveProgress,
} from './redrive';
import type { ConsoleCore } from './console-core';
import { planBehind, recordView, type RedrivePlanView } from './views';
import { StaleConfirmationError } from './console-errors';

export function redriveOperations({ dependencies, now, dryRuns, confirmedPlan, audited }: ConsoleCore) {
  return {
    async redrive(
      actor: Actor,
      shown: RedrivePlanView,
      options: Partial<Omit<RedriveOptions, 'actor'>> & Pick<RedriveOptions, 'redriveId'>,
      onProgress?: (progress: RedriveProgress) => void,
    ): Promise<RedriveOutcome> {
      requireRole(actor, 'dlq:redrive', 'redrive');
      const plan = planBehind(shown);
      return executeRedrive(
        plan,
        {
          ...DEFAULT_REDRIVE_OPTIONS,
          canaryWatchMs: canaryWatchSecondsFor(plan.dlq) * 1_000,
          ...options,
          ...auditedActor(actor),
          alreadyDelivered: await dryRuns.alreadyDeliveredOf(plan.selected),
        },
        dependencies,
        onProgress,
      );
    },

    /**
     * Asks for a redrive of what `filter` selects, to be run by the console's worker (a redrive can outlast a web
     * request), if the plan is still what the person confirmed. The record holds the request and the person's roles;
     * the job names only the record. Returns the record, to follow with redriveStatus.
     */
    async requestRedrive(
      actor: Actor,
      dlqName: string,
      filter: Record<string, string | boolean>,
      confirm: string,
      asked: Omit<RedriveRequest['options'], 'canaryWatchSeconds'> & { canaryWatchSeconds?: number },
    ): Promise<RedriveRecord> {
      requireRole(actor, 'dlq:redrive', 'redrive');
      const { jobs, records } = dependencies;
      if (!jobs || !records) throw new Error('this console runs no redrive worker: redrive from the command line');
      const plan = await confirmedPlan(dlqName, filterFromOptions(filter), confirm);
      // Unless the person chose: long enough for a canary failing again to come back through its source's retries.
      const options = { ...asked, canaryWatchSeconds: asked.canaryWatchSeconds ?? canaryWatchSecondsFor(plan.dlq) };
      const record: RedriveRecord = {
        redriveId: randomUUID(),
        dlq: dlqName,
        actor: actor.name,
        ...(actor.id ? { actorId: actor.id } : {}),
        request: { filter, confirm, options, roles: [...actor.roles] },
        summary: plan.summary,
        askedAt: new Date(now()).toISOString(),
        state: 'queued',
        updatedAt: new Date(now()).toISOString(),
      };
      await records.put(record);
      await jobs.enqueue({ redriveId: record.redriveId, dlq: dlqName });
      return recordView(record);
    },

    /**
     * Cancels a redrive asked for through the API: one still queued never runs; a running one stops at its next check
     * (within a few seconds), what it sent staying sent and the rest in the DLQ, counted in its record. Audited.
     */
    async cancelRedrive(actor: Actor, redriveId: string): Promise<RedriveRecord | undefined> {
      requireRole(actor, 'dlq:redrive', 'cancel a redrive');
      const { records } = dependencies;
      const record = await records?.get(redriveId);
      if (!records || !record) return undefined;
      if (!['queued', 'running'].includes(record.state)) return recordView(record);
      await records.cancel(redriveId, actor.name);
      await audited({
        ...auditedActor(actor),
        action: 'redrive',
        dlq: record.dlq,
        target: record.summary,
        count: record.progress?.sent ?? 0,
        outcome: `cancel asked while ${record.state}${record.progress ? ` (${record.progress.sent} of ${record.progress.total} sent)` : ''}`,
      });
      return recordView(record);
    },

    /** The redrives asked for through the API, newest first: who, what, how far, how it ended. */
    async redrives(actor: Actor, options: { limit?: number } = {}): Promise<RedriveRecord[]> {
      requireRole(actor, 'dlq:read', 'see the redrives');
      return ((await dependencies.records?.list(Math.min(options.limit ?? 50, 200))) ?? []).map(recordView);
    },

    async redriveStatus(actor: Actor, redriveId: string): Promise<RedriveRecord | undefined> {
      requireRole(actor, 'dlq:read', 'follow a redrive');
      const record = await dependencies.records?.get(redriveId);
      return record && recordView(record);
    },

    /**
     * The worker's part: reads the redrive's record (what was asked, by whom, with which roles: the job names only
     * the record), plans again, and runs the redrive if the plan is unchanged, recording its progress. A job naming no
     * record asked for through the API is refused (PermanentError: to the jobs DLQ, with the reason); one whose
     * redrive has finished runs nothing again.
     */
    async runRequestedRedrive(job: RedriveRequested): Promise<RedriveRecord> {
      const records = dependencies.records!;
      const asked = await records.get(job.redriveId);
      if (!asked?.request)
        throw new PermanentError(
          `no redrive ${job.redriveId} was asked for through the console's API: a job runs only what a person asked ` +
            'for there (ask again from the page or the API)',
        );
      if (['done', 'stopped', 'refused'].includes(asked.state)) return recordView(asked);
      const cancelledBy = () => records.cancelledBy(asked.redriveId);
      const cancelledFirst = await cancelledBy();
      if (cancelledFirst !== undefined) {
        const stopped: RedriveRecord = {
          ...asked,
          state: 'stopped',
          because: `cancelled by ${cancelledFirst} before it began`,
          updatedAt: new Date(now()).toISOString(),
        };
        await records.put(stopped);
        return recordView(stopped);
      }
      const { request } = asked;
      const actor: Actor = {
        name: asked.actor,
        ...(asked.actorId ? { id: asked.actorId } : {}),
        roles: new Set(request.roles),
      };
      const record = (fields: Partial<RedriveRecord>): RedriveRecord => ({
        ...asked,
        state: 'running',
        ...fields,
        updatedAt: new Date(now()).toISOString(),
      });
      try {
        requireRole(actor, 'dlq:redrive', 'redrive');
        let plan: RedrivePlan;
        try {
          plan = await confirmedPlan(asked.dlq, filterFromOptions(request.filter), request.confirm);
        } catch (error) {
          if (!(error instanceof StaleConfirmationError)) throw error;
          const because = `the plan changed before it ran: now ${error.plan.summary}`;
          const refused = record({ state: 'refused', because });
          await records.put(refused);
          return recordView(refused);
        }
        let written = 0;
        let pending: Promise<void> = Promise.resolve();
        const outcome = await executeRedrive(
          plan,
          {
            ...DEFAULT_REDRIVE_OPTIONS,
            ...auditedActor(actor),
            redriveId: asked.redriveId,
            canary: request.options.canary,
            canaryWatchMs: request.options.canaryWatchSeconds * 1_000,
            messagesPerSecond: request.options.messagesPerSecond,
            alreadyDelivered: await dryRuns.alreadyDeliveredOf(plan.selected),
            cancelledBy,
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
        return recordView(done);
      } catch (error) {
        const failed = record({ state: 'failed', because: error instanceof Error ? error.message : String(error) });
        await records.put(failed);
        if (error instanceof AccessDeniedError || error instanceof RedriveRefusedError) return recordView(failed);
        throw error;
      }
    },
  };
}
