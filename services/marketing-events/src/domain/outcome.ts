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

// Graph API codes Meta uses for throttling and temporary trouble: 1 unknown, 2 service, 4 app rate limit,
// 17 user rate limit, 32 page rate limit, 341 application limit, 613 calls per period, 80000-80014 business use case limits.
const GRAPH_RETRYABLE_CODES = new Set([1, 2, 4, 17, 32, 341, 613]);

export function graphErrorOf(body: unknown): { code?: number; message?: string; subcode?: number } {
  const error = (body as { error?: { code?: unknown; message?: unknown; error_subcode?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'number' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
    subcode: typeof error?.error_subcode === 'number' ? error.error_subcode : undefined,
  };
}

/** 429, 5xx and Graph throttle codes come back later; any other 4xx will fail the same way again. */
export function classifyAnswer(answer: HttpAnswer): 'ok' | 'retryable' | 'permanent' {
  if (answer.status >= 200 && answer.status < 300) return 'ok';
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) return 'retryable';
  const { code } = graphErrorOf(answer.body);
  if (code !== undefined && (GRAPH_RETRYABLE_CODES.has(code) || (code >= 80000 && code <= 80014))) return 'retryable';
  return 'permanent';
}

export function describeAnswer(destination: string, answer: HttpAnswer): string {
  const { code, message } = graphErrorOf(answer.body);
  const detail =
    message ??
    (typeof answer.body === 'string' ? answer.body.slice(0, 200) : JSON.stringify(answer.body)?.slice(0, 200));
  return `${destination} answered ${answer.status}${code !== undefined ? ` (code ${code})` : ''}: ${detail}`;
}
