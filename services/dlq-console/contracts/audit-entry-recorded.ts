import { defineContract, personal, personalText } from '@backbone/shared';
import { z } from 'zod';

export const AUDIT_ACTIONS = ['redrive', 'dry-run', 'purge', 'export', 'fix-and-resend', 'unmask'] as const;

/**
 * One entry of the console's audit trail, on its way to the trail: every face of the console (the API, the redrive
 * worker, the command line) sends its entries to the audit queue, and one function, the only one allowed to write the
 * audit table, records each under a key no entry has yet. Nobody else can write the trail, so nobody can rewrite it.
 */
export const auditEntryRecordedV1 = defineContract({
  type: 'AuditEntryRecorded',
  version: 1,
  schema: z.object({
    at: z.iso.datetime({ offset: true }),
    /** Who, as shown (a verified email, a user name, an AWS session), and their stable id. */
    actor: personal(z.string().min(1).max(256)),
    actorId: personal(z.string().min(1).max(2_048)).optional(),
    action: z.enum(AUDIT_ACTIONS),
    dlq: z.string().min(1).max(80),
    /** What the action was about, in words (a filter's description, never a personal value). */
    target: personalText(z.string().max(2_000)),
    count: z.number().int().min(0),
    outcome: personalText(z.string().max(2_000)),
    /** Field names changed, counts by result, a stop's cause: never a personal value. */
    detail: z
      .record(z.string(), z.union([z.string().max(2_000), z.number(), z.array(z.string().max(256)).max(100)]))
      .optional(),
  }),
});

export type AuditEntryRecorded = z.output<typeof auditEntryRecordedV1.schema>;
