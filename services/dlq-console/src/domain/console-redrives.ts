/** Redrives: run here (the command line), asked for through the API and run by the worker, followed. */
import { randomUUID } from 'node:crypto';
import { type RedriveRequested } from '../../contracts';

import { AccessDeniedError, requireRole, type Actor } from './access';

import { filterFromOptions } from './dead-letters';
import type { RedriveRecord } from './ports';
import {
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

export function redriveOperations({ dependencies, now, dryRuns, confirmedPlan }: ConsoleCore) {
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
          ...options,
          actor: actor.name,
          alreadyDelivered: await dryRuns.alreadyDeliveredOf(plan.selected),
        },
        dependencies,
        onProgress,
      );
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
      const record = await dependencies.records?.get(redriveId);
      return record && recordView(record);
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
  };
}
