import { z } from 'zod';
import { defineContract } from './envelope';

/**
 * What a consumer tells the dead-letter console when it puts a message in its DLQ: enough to list, group, inspect
 * and redrive the message without receiving it from the DLQ (which would hide it and raise its receive count).
 * Sent to the console's notices queue right after the dead letter itself; the DLQ stays the record, and a notice
 * that is lost is made up by the console's sweeper.
 */
export const deadLetterRecordedV1 = defineContract({
  type: 'DeadLetterRecorded',
  version: 1,
  schema: z.object({
    /** The DLQ's name and the id SQS gave the dead letter there. */
    dlq: z.string().min(1).max(80),
    dlqMessageId: z.string().min(1).max(128),
    /** The queue the message failed on (its ARN, as the Lambda event names it). */
    source: z.string().min(1).max(256),
    failure: z.object({
      kind: z.enum(['permanent', 'retries-exhausted', 'outcome-unknown', 'unexplained']),
      reason: z.string().max(1_000),
      at: z.iso.datetime({ offset: true }),
      receiveCount: z.number().int().min(0),
      originalMessageId: z.string().min(1).max(128),
    }),
    /** The failed message's envelope type and version, when it had an envelope. */
    messageType: z.string().max(128).optional(),
    messageVersion: z.number().int().positive().optional(),
    /** FIFO queues: the message group. */
    groupId: z.string().max(128).optional(),
    /**
     * The message's body, unless it was too large to go with the notice (then the console shows it from the DLQ on
     * demand). Personal data stays in it as sent; the console masks it when it shows it.
     */
    body: z.string().optional(),
    /** The message's own string attributes (envelope attributes, redrive markers), not the failure's. */
    attributes: z.record(z.string(), z.string()).default({}),
  }),
});

export type DeadLetterRecorded = z.output<typeof deadLetterRecordedV1.schema>;
