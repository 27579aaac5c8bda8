import { z } from 'zod';
import { defineContract } from './envelope';
import { embeddedMessage, personal, personalText } from './personal';

/**
 * Why a message is in a DLQ: refused for good (`permanent`), out of retries (`retries-exhausted`), its effect at the
 * destination unknown (`outcome-unknown`: check the destination before redriving it; see OutcomeUnknownError), or
 * moved there by the queue's own redrive policy without a consumer saying why (`unexplained`: a crash or a timeout).
 */
export const FAILURE_KINDS = ['permanent', 'retries-exhausted', 'outcome-unknown', 'unexplained'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** A dead letter's failed destinations as data (see DestinationFailure), at most this many. */
export const MAX_FAILED_DESTINATIONS = 20;

export const destinationFailureSchema = z.object({
  destination: z.string().min(1).max(64),
  code: z.string().max(64).optional(),
  /** The platform's answer: it may quote what it was sent. */
  message: personalText(z.string().max(1_000)),
});

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
      kind: z.enum(FAILURE_KINDS),
      reason: personalText(z.string().max(1_000)),
      /**
       * The destinations that failed, each with its code and message (added within version 1: absent in older
       * notices, which read as none).
       */
      destinations: z.array(destinationFailureSchema).max(MAX_FAILED_DESTINATIONS).default([]),
      at: z.iso.datetime({ offset: true }),
      receiveCount: z.number().int().min(0),
      originalMessageId: z.string().min(1).max(128),
    }),
    /** The failed message's envelope type and version, when it had an envelope. */
    messageType: z.string().max(128).optional(),
    messageVersion: z.number().int().positive().optional(),
    /** FIFO queues: the message group. */
    groupId: personal(z.string().max(128)).optional(),
    /**
     * The message's body, unless it was too large to go with the notice (then the console shows it from the DLQ on
     * demand). Personal data stays in it as sent; the console masks it when it shows it.
     */
    body: embeddedMessage(z.string()).optional(),
    /** The message's own string attributes (envelope attributes, redrive markers), not the failure's. */
    attributes: personal(z.record(z.string(), z.string())).default({}),
  }),
});

export type DeadLetterRecorded = z.output<typeof deadLetterRecordedV1.schema>;
