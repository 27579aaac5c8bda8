/**
 * Failure taxonomy shared by every consumer.
 *
 * A consumer must decide, per record, whether trying again can help. Retrying a
 * message that can never succeed wastes the retry budget of its siblings and
 * delays the operator's view of it in the DLQ; giving up on one that would have
 * succeeded a minute later loses it. So every failure a domain function raises
 * says which kind it is, and unknown errors are treated as retryable (the safe
 * default: nothing is lost, the redrive policy bounds the attempts).
 */
export abstract class ProcessingError extends Error {
  abstract readonly retryable: boolean;
  /** The destinations that failed and how, when the failure is theirs: carried to the DLQ as data, not as text. */
  readonly destinations: readonly DestinationFailure[];

  constructor(message: string, options?: { cause?: unknown; destinations?: readonly DestinationFailure[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.destinations = options?.destinations ?? [];
  }
}

/**
 * One destination's part in a failure: its name (`meta`, `ga4`, a queue, an engine), its code (an HTTP status, with
 * the platform's own code after a slash: `400/100`; or a word for what happened before any answer: `no-answer`,
 * `deadline`, `refused-before-sending`) and its message.
 */
export interface DestinationFailure {
  destination: string;
  code?: string;
  message: string;
}

/** Trying again cannot help: the input itself is wrong, or the destination refused it for good. */
export class PermanentError extends ProcessingError {
  readonly retryable = false;
}

/** A dependency was unavailable, throttled or timed out: the same input may succeed later. */
export class RetryableError extends ProcessingError {
  readonly retryable = true;
}

/**
 * Whether the destination has it is unknown, and sending again could do it twice where the destination cannot tell
 * (a request to GA4 whose answer was lost): not retried; dead-lettered as `outcome-unknown` for a person to check.
 */
export class OutcomeUnknownError extends PermanentError {}

/** A message that does not match its contract. Permanent: redelivery returns the same bytes. */
export class InvalidMessageError extends PermanentError {}

/** Configuration that does not validate; raised once, at cold start, listing every problem. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function isRetryable(error: unknown): boolean {
  return error instanceof ProcessingError ? error.retryable : true;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-Error value thrown: ${String(error)}`;
}
