/** What changes dead letters one by one or in bulk: fix and resend, export, purge; each checked and audited. */
import { createHash, randomUUID } from 'node:crypto';

import { auditedActor, requireRole, type Actor } from './access';
import { describeFilter, failedDestinations, type DeadLetterFilter } from './dead-letters';
import { editedBody, editedFields, fixedAttributes, takeFromDlq, toCsv, type DataEdit } from './operations';

import { holdingLock } from './redrive';
import type { ConsoleCore } from './console-core';
import { busy, EDIT_LEASE_MS } from './console-errors';

export function changeOperations({
  queues,
  index,
  locks,
  findQueue,
  audited,
  confirmedPlan,
  selectAll,
  reveal,
  unmaskFor,
}: ConsoleCore) {
  return {
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
      // The edit right before the DLQ is looked up: someone without it learns nothing, not even the stage's DLQs from
      // a wrong name (the index answers an unknown DLQ with nothing).
      const letter = await index.get(dlq, messageId);
      if (!letter) {
        if (![...actor.roles].some((role) => role.startsWith('dlq:edit:')))
          requireRole(actor, 'dlq:edit:*', 'fix and resend dead letters');
        throw new Error(`no dead letter ${messageId} in ${dlq}'s index (redriven or purged already?)`);
      }
      requireRole(
        actor,
        `dlq:edit:${letter.messageType ?? '(untyped)'}`,
        `edit ${letter.messageType ?? 'untyped'} messages`,
      );
      const queue = await findQueue(dlq);
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
          ...auditedActor(actor),
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
      const letters = await selectAll(dlq, filter, unmaskFor(actor, options.unmask));
      const shown = await reveal(actor, dlq, letters, options.unmask, 'exported', filter);
      await audited({
        ...auditedActor(actor),
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
          ...auditedActor(actor),
          action: 'purge',
          dlq,
          target: plan.summary,
          count: deleted,
          outcome: `deleted ${deleted}${missing.length > 0 ? `, ${missing.length} no longer in the DLQ` : ''}`,
        });
        return { deleted, notFound: missing.length };
      });
    },
  };
}
