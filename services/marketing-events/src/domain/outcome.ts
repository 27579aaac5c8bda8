/**
 * What a destination did with one event. `unknown`: a request that may have reached a platform that cannot
 * deduplicate (its answer never came, or the function stopped before it was written down); it is not sent again.
 * `maybeDelivered` on a retryable outcome: the whole request had gone out when it failed, so the platform may
 * have it.
 */
export type DeliveryOutcome =
  | { status: 'delivered' }
  | {
      status: 'retryable';
      reason: string;
      code: FailureCode;
      maybeDelivered?: true;
      /** The platform refused us (our credentials, rights or address), not the event: someone must fix a setting. */
      refusedUs?: true;
    }
  | { status: 'permanent'; reason: string; code: FailureCode }
  | { status: 'unknown'; reason: string; code: FailureCode };

/**
 * What a failure was, as data for whoever looks at the dead letter: the platform's answer (its HTTP status, with its
 * own code after a slash: `400/100`), or what happened before any answer.
 */
export type FailureCode =
  | `${number}`
  | `${number}/${string}`
  | 'no-answer'
  | 'deadline'
  | 'ledger-unavailable'
  | 'refused-before-sending'
  | 'outcome-unknown';

export const delivered: DeliveryOutcome = { status: 'delivered' };
export const retryable = (reason: string, code: FailureCode, maybeDelivered = false): DeliveryOutcome =>
  maybeDelivered ? { status: 'retryable', reason, code, maybeDelivered } : { status: 'retryable', reason, code };
/**
 * The platform refused the request for who sent it or where (an expired token, a missing permission, a wrong dataset),
 * not for the events in it: they are retried with backoff (and reach the DLQ only once their retries run out), and the
 * refusal is counted apart so that an alarm tells someone to fix the setting.
 */
export const refusedUs = (reason: string, code: FailureCode): DeliveryOutcome => ({
  status: 'retryable',
  reason,
  code,
  refusedUs: true,
});
export const permanent = (reason: string, code: FailureCode): DeliveryOutcome => ({
  status: 'permanent',
  reason,
  code,
});
export const unknown = (reason: string): DeliveryOutcome => ({ status: 'unknown', reason, code: 'outcome-unknown' });

/** A platform's answer as a failure code: its HTTP status, and its own code when it gave one. */
export const answerCode = (answer: HttpAnswer, reading?: RejectionReading): FailureCode =>
  reading?.code !== undefined ? `${answer.status}/${reading.code}` : `${answer.status}`;

/**
 * How a platform takes an event sent twice. `at-least-once`: it deduplicates on our stable event id (Meta) or its
 * receivers do (the webhook), so anything in doubt is sent again. `at-most-once`: it cannot (GA4), so the ledger
 * notes each send before it starts, and a send whose outcome was lost is reported, never repeated blindly.
 */
export type DeliverySemantics = 'at-least-once' | 'at-most-once';

/** A platform's answer to one HTTP request. */
export interface HttpAnswer {
  status: number;
  body: unknown;
}

/** How destinations reach the network (the adapter sets timeouts and keep-alive). */
export interface HttpTransport {
  post(url: string, body: string, headers: Record<string, string>): Promise<HttpAnswer>;
}

/** A transport failure that never reached an answer (timeout, connection refused): always worth retrying. */
export class TransportError extends Error {
  override name = 'TransportError';
  /**
   * @param maybeDelivered the whole request had been handed to the network when it failed (no answer in time, the
   * connection reset while waiting): the platform may have it. False when it never went out (no connection).
   */
  constructor(
    message: string,
    readonly maybeDelivered = false,
  ) {
    super(message);
  }
}

/**
 * What a platform says about a refusal beyond its HTTP status: its own throttle codes (Meta's Graph API answers
 * 400 with code 17 for "slow down") and its own error text. Each platform keeps this knowledge in its own file.
 */
export interface RejectionReading {
  /**
   * 'retryable' for a code that means "later", 'refused-us' for one about our credentials or rights (Meta's 190, an
   * expired token), 'permanent' to confirm; undefined leaves it to the status.
   */
  verdict?: 'retryable' | 'refused-us' | 'permanent';
  /** The platform's own words for what was wrong, and its code. */
  message?: string;
  code?: number;
}

export type AnswerVerdict = 'ok' | 'retryable' | 'refused-us' | 'permanent';

/**
 * 429, 408 and 5xx come back later; 401, 403 and 404 refuse us (credentials, rights, a wrong address), not the
 * events; any other 4xx fails the same way again. A platform's own reading of its answer comes first.
 */
export function classifyAnswer(answer: HttpAnswer, reading?: RejectionReading): AnswerVerdict {
  if (answer.status >= 200 && answer.status < 300) return 'ok';
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) return 'retryable';
  if (reading?.verdict) return reading.verdict;
  return answer.status === 401 || answer.status === 403 || answer.status === 404 ? 'refused-us' : 'permanent';
}

export function describeAnswer(destination: string, answer: HttpAnswer, reading?: RejectionReading): string {
  const detail =
    reading?.message ??
    (typeof answer.body === 'string' ? answer.body.slice(0, 200) : JSON.stringify(answer.body)?.slice(0, 200));
  return `${destination} answered ${answer.status}${reading?.code !== undefined ? ` (code ${reading.code})` : ''}: ${detail}`;
}
