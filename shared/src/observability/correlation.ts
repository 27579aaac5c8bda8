/**
 * The conversation a piece of work belongs to: while a consumer handles a message, its envelope's correlationId (and
 * the SQS message id) is the current correlation, so that every log line written meanwhile carries it and every
 * message sent meanwhile carries it on (one conversion, one night's customer, followed across services). Kept in an
 * AsyncLocalStorage: the records of a batch are handled concurrently, each in its own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Correlation {
  correlationId: string;
  messageId?: string;
}

const current = new AsyncLocalStorage<Correlation>();

/** Runs `work` with `correlation` as the current one (nested: the innermost wins). */
export const withCorrelation = <T>(correlation: Correlation, work: () => T): T => current.run(correlation, work);

/** The correlation of the work running now, if any. */
export const currentCorrelation = (): Correlation | undefined => current.getStore();
