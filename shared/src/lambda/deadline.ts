import type { Context } from 'aws-lambda';

/**
 * An invocation's time, less a reserve kept back for what must follow the work (recording what was done, settling
 * the records that failed): the one place that subtracts a reserve from Lambda's deadline.
 */
type RemainingTime = Pick<Context, 'getRemainingTimeInMillis'>;

/** Epoch ms by which the work must stop to leave `reserveMs` of the invocation for what follows it. */
export const deadlineKeeping = (context: RemainingTime, reserveMs: number, now = Date.now()): number =>
  now + context.getRemainingTimeInMillis() - reserveMs;

/** Milliseconds of the invocation left for the work, asked afresh each call: what remains less `reserveMs`. */
export const timeLeftKeeping =
  (context: RemainingTime, reserveMs: number): (() => number) =>
  () =>
    context.getRemainingTimeInMillis() - reserveMs;
