/**
 * The rules engine over HTTP (its load balancer in AWS, the local one here), with kept-alive connections: the invoke
 * Lambda calls it for every batch, so a warm container reuses its connection.
 */
import http from 'node:http';
import https from 'node:https';
import type { EngineAnswer, EngineClient } from '../domain/invoke-engine';

export function createHttpEngineClient(baseUrl: string): EngineClient {
  const url = new URL('/evaluate', baseUrl);
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 8 });
  return {
    async evaluate(request, { timeoutMs }): Promise<EngineAnswer> {
      const body = JSON.stringify(request);
      let status: number;
      let text: string;
      try {
        ({ status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const call = transport.request(
            url,
            {
              method: 'POST',
              agent,
              timeout: timeoutMs,
              headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
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
          call.on('timeout', () => call.destroy(new Error(`no answer within ${timeoutMs} ms`)));
          call.on('error', reject);
          call.end(body);
        }));
      } catch (error) {
        return {
          kind: 'unavailable',
          message: `${url.host}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      let answer: Record<string, unknown> = {};
      try {
        answer = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // A load balancer's own page (502, 503): the status says what happened.
      }
      const message = typeof answer['error'] === 'string' ? answer['error'] : `HTTP ${status}: ${text.slice(0, 200)}`;
      if (status === 200)
        return {
          kind: 'scored',
          evaluated: Number(answer['evaluated'] ?? 0),
          written: Number(answer['written'] ?? 0),
          errors: (answer['errors'] ?? []) as Extract<EngineAnswer, { kind: 'scored' }>['errors'],
        };
      if (status === 409) return { kind: 'superseded', message };
      if (status === 400 || status === 413) return { kind: 'refused', message };
      return { kind: 'unavailable', message: `HTTP ${status}: ${message}` };
    },
  };
}
