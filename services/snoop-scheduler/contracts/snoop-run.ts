import { z } from 'zod';
import { defineContract, personal } from '@backbone/shared';

/** A nightly run's id: also the run fence's, and part of every result the run writes. */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/, 'letters, digits and : . _ - (at most 128)');
const customerId = personal(z.string().min(1).max(128));

/**
 * The nightly snoop run's messages inside snoop-scheduler: the rule Lambda -> the customer-rules FIFO queue -> the
 * invoke Lambda, which asks the rules engine to score the customer on these rules for this run. Message group: the
 * customer (so the queue is not serialised); deduplication id: run, customer and part (a long list is split).
 */
export const customerRulesV1 = defineContract({
  type: 'CustomerRules',
  version: 1,
  schema: z.object({
    runId: runIdSchema,
    customerId,
    ruleIds: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a snoop id: a lowercase slug such as "energy-switch"'))
      .min(1)
      .max(2_000),
    /** The evaluation day (the night's date), so that a retry the next morning scores the same day. */
    on: z.iso.date(),
  }),
});

export type CustomerRules = z.infer<typeof customerRulesV1.schema>;

/**
 * The customer Lambda -> the eligible-customers queue -> the rule Lambda: one eligible customer of a run, to be
 * scored on the run's evaluation day.
 */
export const eligibleCustomerV1 = defineContract({
  type: 'EligibleCustomer',
  version: 1,
  schema: z.object({ runId: runIdSchema, customerId, on: z.iso.date() }),
});

export type EligibleCustomer = z.infer<typeof eligibleCustomerV1.schema>;
