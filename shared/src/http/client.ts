/**
 * The one HTTP client for the services' own calls (the marketing platforms, the rules engine, the engine's DynamoDB
 * writes): undici, Node's own HTTP client project (the one behind its fetch), with a kept-alive pool per origin and a
 * deadline on the whole exchange. `npm run bench:http` measured it at 0.70-0.73 of node:http's CPU per request
 * (14.2 against 20.2 microseconds for a 1 KB body, 17.6 against 24.2 for 11 KB).
 *
 * A failure says whether the whole request had been handed to the network before it (`sent`): after that, the
 * server may have acted on it, which a destination that cannot deduplicate (GA4) must know.
 */
import { Pool } from 'undici';

/** An answer: its status, its content type and its body as text. */
export interface HttpTextAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** No answer: no connection, a broken one, or the deadline passed. `sent`: the whole request had gone out. */
export class HttpRequestError extends Error {
  override name = 'HttpRequestError';
  constructor(
    message: string,
    readonly sent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpClient {
  post(url: URL, body: string | Buffer, headers: Record<string, string>, timeoutMs: number): Promise<HttpTextAnswer>;
  close(): Promise<void>;
}

/**
 * `connections` per origin. An idle connection is dropped after 4 s (undici's keep-alive timeout), before a server's
 * own (5 s in Node's, and in many others) closes it under a request just written to it.
 */
export function createHttpClient(options: { connections: number }): HttpClient {
  const pools = new Map<string, Pool>();
  const poolOf = (url: URL): Pool => {
    let pool = pools.get(url.origin);
    if (!pool) pools.set(url.origin, (pool = new Pool(url.origin, { connections: options.connections })));
    return pool;
  };
  return {
    post: (url, body, headers, timeoutMs) => dispatchPost(poolOf(url), url, body, headers, timeoutMs),
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

function dispatchPost(
  pool: Pool,
  url: URL,
  body: string | Buffer,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<HttpTextAnswer> {
  return new Promise((resolve, reject) => {
    let sent = false;
    let status = 0;
    let contentType = '';
    const chunks: Buffer[] = [];
    let settled = false;
    let abort: ((reason?: Error) => void) | undefined;
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      reject(new HttpRequestError(message, sent, { cause }));
    };
    // The whole exchange has a deadline, not just each wait for bytes.
    const deadline = setTimeout(() => {
      const message = `no answer within ${timeoutMs} ms${sent ? ' (the request had been sent)' : ''}`;
      fail(message);
      abort?.(new Error(message));
    }, timeoutMs);
    // undici's handler interface; `onRequestSent` is called once the whole request has been written.
    const handler = {
      onConnect(abortRequest: (reason?: Error) => void) {
        abort = abortRequest;
        if (settled) abortRequest(new Error('abandoned'));
      },
      onRequestSent() {
        sent = true;
      },
      onHeaders(statusCode: number, rawHeaders: Buffer[]) {
        status = statusCode;
        for (let i = 0; i < rawHeaders.length; i += 2)
          if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'content-type')
            contentType = rawHeaders[i + 1]!.toString('latin1');
        return true;
      },
      onData(chunk: Buffer) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ status, contentType, text: Buffer.concat(chunks).toString('utf8') });
      },
      onError(error: Error) {
        fail((error as NodeJS.ErrnoException).code ?? error.message, error);
      },
    };
    pool.dispatch({ method: 'POST', path: `${url.pathname}${url.search}`, body, headers }, handler);
  });
}
