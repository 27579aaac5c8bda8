/**
 * POST requests with a text answer, for the adapters that speak HTTP themselves (the engine's DynamoDB writes, the
 * invoke step's engine calls), over undici: Node's own HTTP client project, the one behind its fetch. The engine
 * sends one BatchWriteItem request per 25 evaluations, so the client's per-request cost is per-evaluation CPU: on
 * this machine undici's pool spends about 30 microseconds of CPU on a 11 KB request and its answer, node:http's
 * ClientRequest about 75-90.
 */
import { Pool } from 'undici';

/** Kept-alive connections to one origin (scheme, host, port). */
export interface HttpOrigin {
  readonly url: URL;
  readonly pool: Pool;
}

export function openOrigin(url: URL, connections: number): HttpOrigin {
  return { url, pool: new Pool(url.origin, { connections }) };
}

/**
 * One POST to `path` on the origin, its answer as text. Abandoned after `timeoutMs` (the error says so): the run
 * fence counts on a write never landing later than that.
 */
export async function requestText(
  origin: HttpOrigin,
  path: string,
  options: { headers: Record<string, string>; timeoutMs: number },
  body: string | Buffer,
): Promise<{ status: number; text: string }> {
  // A timer cleared when the answer is in (AbortSignal.timeout's would fire later for every request, answered or not).
  const abandon = new AbortController();
  const timer = setTimeout(() => abandon.abort(), options.timeoutMs);
  try {
    const response = await origin.pool.request({
      method: 'POST',
      path,
      headers: options.headers,
      body,
      signal: abandon.signal,
    });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    if (abandon.signal.aborted) throw new Error(`no answer within ${options.timeoutMs} ms`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
