/** What a destination did with one event. */
export type DeliveryOutcome =
  { status: 'delivered' } | { status: 'retryable'; reason: string } | { status: 'permanent'; reason: string };

export const delivered: DeliveryOutcome = { status: 'delivered' };
export const retryable = (reason: string): DeliveryOutcome => ({ status: 'retryable', reason });
export const permanent = (reason: string): DeliveryOutcome => ({ status: 'permanent', reason });

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
}

/**
 * What a platform says about a refusal beyond its HTTP status: its own throttle codes (Meta's Graph API answers
 * 400 with code 17 for "slow down") and its own error text. Each platform keeps this knowledge in its own file.
 */
export interface RejectionReading {
  /** 'retryable' for a code that means "later", 'permanent' to confirm; undefined leaves it to the status. */
  verdict?: 'retryable' | 'permanent';
  /** The platform's own words for what was wrong, and its code. */
  message?: string;
  code?: number;
}

/** 429, 408 and 5xx come back later; any other 4xx fails the same way again unless the platform says otherwise. */
export function classifyAnswer(answer: HttpAnswer, reading?: RejectionReading): 'ok' | 'retryable' | 'permanent' {
  if (answer.status >= 200 && answer.status < 300) return 'ok';
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) return 'retryable';
  return reading?.verdict ?? 'permanent';
}

export function describeAnswer(destination: string, answer: HttpAnswer, reading?: RejectionReading): string {
  const detail =
    reading?.message ??
    (typeof answer.body === 'string' ? answer.body.slice(0, 200) : JSON.stringify(answer.body)?.slice(0, 200));
  return `${destination} answered ${answer.status}${reading?.code !== undefined ? ` (code ${reading.code})` : ''}: ${detail}`;
}
