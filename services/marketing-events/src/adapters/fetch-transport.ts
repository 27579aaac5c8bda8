import { TransportError, type HttpTransport } from '../domain/outcome';

/**
 * HTTP for the destinations: Node's fetch (keep-alive by default) with a deadline per request. A request
 * that gets no answer in time, or no connection, is a TransportError: retried, never a permanent failure.
 */
export function createFetchTransport(timeoutMs: number): HttpTransport {
  return {
    async post(url, body, headers) {
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const what =
          error instanceof Error && error.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : (cause ?? String(error));
        // The URL may carry a secret (GA4's api_secret): name the host only.
        throw new TransportError(`${new URL(url).host}: ${what}`);
      }
      const text = await response.text();
      let parsed: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      return { status: response.status, body: parsed };
    },
  };
}
