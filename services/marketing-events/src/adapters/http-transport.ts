import { createHttpClient, HttpRequestError } from '@backbone/shared';
import { TransportError, type HttpTransport } from '../domain/outcome';

/**
 * HTTP for the destinations: the platform's one HTTP client (undici, a kept-alive pool per platform host, reused
 * across invocations of a warm Lambda) with a deadline per request. A request that gets no answer in time, or no
 * connection, is a TransportError: retried, never a permanent failure; it says whether the whole request had gone
 * out, after which the platform may have it.
 */
export function createHttpTransport(timeoutMs: number): HttpTransport {
  // Stryker disable next-line ObjectLiteral: the pool's size changes how fast, not what is answered.
  const client = createHttpClient({ connections: 64 });
  // A destination posts to the same URL all the time (GA4: a request per customer): parse each once.
  const urls = new Map<string, URL>();
  return {
    async post(url, body, headers) {
      let target = urls.get(url);
      // Stryker disable next-line ConditionalExpression: equivalent, parsing again gives the same URL.
      if (!target) urls.set(url, (target = new URL(url)));
      try {
        const answer = await client.post(target, body, headers, timeoutMs);
        let parsed: unknown = answer.text;
        if (answer.contentType.includes('json') && answer.text !== '') {
          try {
            parsed = JSON.parse(answer.text);
          } catch {
            parsed = answer.text;
          }
        }
        return { status: answer.status, body: parsed };
      } catch (error) {
        // The URL may carry a secret (GA4's api_secret): errors name the host only.
        // Stryker disable next-line ConditionalExpression: the client rejects with HttpRequestError only (a bad header
        // included); anything else would be a bug of ours, passed on as it is.
        if (error instanceof HttpRequestError) throw new TransportError(`${target.host}: ${error.message}`, error.sent);
        throw error;
      }
    },
  };
}
