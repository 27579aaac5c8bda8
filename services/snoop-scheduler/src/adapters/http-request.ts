import http from 'node:http';
import https from 'node:https';

/** A kept-alive agent for a base URL's scheme, and the module that goes with it. */
export function transportFor(url: URL, maxSockets: number) {
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  return { transport, agent: new transport.Agent({ keepAlive: true, maxSockets }) };
}

/**
 * One request with a body, its answer as text: for the adapters that speak HTTP themselves (the engine's DynamoDB
 * writes, the invoke step's engine calls). Abandoned after `timeoutMs` (the error says so).
 */
export function requestText(
  transport: typeof http | typeof https,
  url: URL,
  options: { agent: http.Agent; headers: Record<string, string>; timeoutMs: number },
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        timeout: options.timeoutMs,
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
