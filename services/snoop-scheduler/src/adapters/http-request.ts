/**
 * POST requests with a text answer, for the adapters that speak HTTP themselves (the engine's DynamoDB writes, the
 * invoke step's engine calls), over the platform's one HTTP client (undici): the engine sends one BatchWriteItem
 * request per 25 evaluations, so the client's per-request cost is per-evaluation CPU.
 */
import { createHttpClient, type HttpClient } from '@backbone/shared';

/** Kept-alive connections to one origin (scheme, host, port). */
export interface HttpOrigin {
  readonly url: URL;
  readonly client: HttpClient;
  /** Each path's URL, made once (a writer posts to the same one all the time). */
  readonly paths: Map<string, URL>;
}

export function openOrigin(url: URL, connections: number): HttpOrigin {
  return { url, client: createHttpClient({ connections }), paths: new Map() };
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
  let url = origin.paths.get(path);
  if (!url) origin.paths.set(path, (url = new URL(path, origin.url)));
  const answer = await origin.client.post(url, body, options.headers, options.timeoutMs);
  return { status: answer.status, text: answer.text };
}
