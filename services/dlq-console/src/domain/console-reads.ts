/** What the console shows: the DLQs, their dead letters (masked), their groups, a plan, a dry run, the audit trail. */
import { auditedActor, requireRole, type Actor } from './access';
import { queueViewOf, TREND_WINDOW_MS, type DeadLetterQueueView } from './queue-view';

import type { DeadLetterFilter, DeadLetterGroup } from './dead-letters';
import { deletedBySqsAt, RETENTION_WARNING_MS } from './retention';
import { selectGroups } from './selection';
import type { AuditEntry } from './ports';
import { planRedrive } from './redrive';
import { auditView, dryRunView, planBehind, planView, type DryRunView, type RedrivePlanView } from './views';
import type { ConsoleCore, DeadLetterView } from './console-core';

export function readOperations({
  queues,
  index,
  audit,
  now,
  dryRuns,
  findQueue,
  audited,
  select,
  reveal,
  unmaskFor,
}: ConsoleCore) {
  /**
   * Asks of each planned message what its consumer would do with it now (see consumer-checks.ts), and which need
   * no redrive (delivered since); nothing is sent. Audited.
   */
  async function dryRun(actor: Actor, shown: RedrivePlanView): Promise<DryRunView> {
    requireRole(actor, 'dlq:redrive', 'dry-run a redrive');
    const plan = planBehind(shown);
    const result = await dryRuns.dryRun(plan, new Date(now()));
    const { wouldPass, alreadyDelivered } = result;
    await audited({
      ...auditedActor(actor),
      action: 'dry-run',
      dlq: plan.dlq.name,
      target: plan.summary,
      count: plan.selected.length,
      outcome:
        `${wouldPass} would pass, ${result.wouldFail.reduce((n, f) => n + f.count, 0)} would fail again` +
        (alreadyDelivered.count > 0 ? `, ${alreadyDelivered.count} delivered already` : ''),
    });
    return dryRunView(result);
  }

  return {
    async queues(actor: Actor): Promise<DeadLetterQueueView[]> {
      requireRole(actor, 'dlq:read', 'see the DLQs');
      const at = now();
      return Promise.all(
        (await queues.deadLetterQueues()).map(async (dlq) => {
          const [groups, span, activity] = await Promise.all([
            index.groups(dlq.name),
            index.span(dlq.name),
            index.activity(dlq.name, new Date(at - TREND_WINDOW_MS).toISOString()),
          ]);
          const indexed = groups.reduce((sum, group) => sum + group.count, 0);
          return queueViewOf(dlq, { indexed, ...(span.first ? { oldestFailedAt: span.first } : {}), activity }, at);
        }),
      );
    },

    /** A page of dead letters (the first, or the one after `after`: the last one's position on the page before). */
    async messages(
      actor: Actor,
      dlq: string,
      filter: DeadLetterFilter = {},
      options: { limit?: number; unmask?: { reason: string }; after?: string } = {},
    ): Promise<DeadLetterView[]> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      const { letters, queue } = await select(dlq, filter, {
        raw: unmaskFor(actor, options.unmask),
        limit: Math.min(options.limit ?? 100, 500),
        ...(options.after ? { after: options.after } : {}),
      });
      return (await reveal(actor, dlq, letters, options.unmask, 'looked at', filter)).map((view) => ({
        ...view,
        deletedAt: deletedBySqsAt(view.failedAt, queue.retentionSeconds),
      }));
    },

    /** The failure groups, largest first, each with when SQS deletes its oldest letter (and whether within a day). */
    async groups(actor: Actor, dlq: string, filter: DeadLetterFilter = {}): Promise<DeadLetterGroup[]> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      const { retentionSeconds } = await findQueue(dlq);
      const at = now();
      return (await selectGroups(index, dlq, filter, { now: at })).map((group) => {
        if (!group.firstSeen) return group;
        const oldestDeletedAt = deletedBySqsAt(group.firstSeen, retentionSeconds);
        return { ...group, oldestDeletedAt, deletedSoon: Date.parse(oldestDeletedAt) - at <= RETENTION_WARNING_MS };
      });
    },

    async plan(actor: Actor, dlq: string, filter: DeadLetterFilter = {}): Promise<RedrivePlanView> {
      requireRole(actor, 'dlq:read', 'see dead letters');
      return planView(await planRedrive(index, await findQueue(dlq), filter, now()));
    },

    dryRun,

    /** The dry run of what a filter selects, both rights checked before the DLQ is looked up. */
    async dryRunOf(actor: Actor, dlq: string, filter: DeadLetterFilter): Promise<DryRunView> {
      requireRole(actor, 'dlq:redrive', 'dry-run a redrive');
      requireRole(actor, 'dlq:read', 'see dead letters');
      return dryRun(actor, planView(await planRedrive(index, await findQueue(dlq), filter, now())));
    },

    async audit(actor: Actor, options: { days: number; limit: number }): Promise<AuditEntry[]> {
      requireRole(actor, 'dlq:read', 'see the audit trail');
      return (await audit.list(options)).map(auditView);
    },
  };
}
