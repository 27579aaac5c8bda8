import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { TransportError, type HttpTransport } from '../domain/outcome';

/**
 * HTTP for the destinations: node:http(s) with keep-alive agents (one connection pool per platform
 * host, reused across invocations of a warm Lambda) and a deadline per request. A request that gets no
 * answer in time, or no connection, is a TransportError: retried, never a permanent failure.
 * (node:http rather than fetch: a quarter of the CPU per request, which is what a batch costs.)
 */
const IDLE_SOCKET_MS = 4_000;

export function createHttpTransport(timeoutMs: number): HttpTransport {
  // An idle connection is dropped after 4 s, before a server's own keep-alive timeout (5 s in Node's, and in many
  // others) closes it under a request just written to it: that request would fail with ECONNRESET after going out
  // whole, and an at-most-once platform (GA4) could then not be sent it again.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS }),
  };
  // A destination posts to the same URL all the time (GA4: a request per customer): parse each once.
  const endpoints = new Map<
    string,
    { host: string; client: typeof http | typeof https; options: http.RequestOptions }
  >();
  const endpointOf = (url: string) => {
    let endpoint = endpoints.get(url);
    if (!endpoint) {
      const target = new URL(url);
      const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
      endpoint = {
        host: target.host,
        client: protocol === 'https:' ? https : http,
        options: { ...urlToHttpOptions(target), method: 'POST', agent: agents[protocol] },
      };
      endpoints.set(url, endpoint);
    }
    return endpoint;
  };
  return {
    post(url, body, headers) {
      const { host, client, options } = endpointOf(url);
      return new Promise((resolve, reject) => {
        const request = client.request(
          { ...options, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', (error) => reject(new TransportError(`${host}: ${error.message}`, true)));
            response.on('end', () => {
              clearTimeout(deadline);
              const text = Buffer.concat(chunks).toString('utf8');
              let parsed: unknown = text;
              if ((response.headers['content-type'] ?? '').includes('json') && text !== '') {
                try {
                  parsed = JSON.parse(text);
                } catch {
                  parsed = text;
                }
              }
              resolve({ status: response.statusCode ?? 0, body: parsed });
            });
          },
        );
        // Whether the whole request had gone out: after that, a failure leaves the platform possibly holding it.
        let sent = false;
        request.on('finish', () => (sent = true));
        // The whole exchange has a deadline, not just each wait for bytes.
        const deadline = setTimeout(
          () =>
            request.destroy(
              new TransportError(
                `${host}: no answer within ${timeoutMs} ms${sent ? ' (the request had been sent)' : ''}`,
                sent,
              ),
            ),
          timeoutMs,
        );
        // The URL may carry a secret (GA4's api_secret): errors name the host only.
        request.on('error', (error) => {
          clearTimeout(deadline);
          reject(
            error instanceof TransportError
              ? error
              : new TransportError(`${host}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, sent),
          );
        });
        request.end(body);
      });
    },
  };
}
