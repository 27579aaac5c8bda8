/**
 * The rules engine over HTTP (its load balancer in AWS, the local one here), with kept-alive connections: the invoke
 * Lambda calls it for every batch, so a warm container reuses its connection.
 */
import type { EngineAnswer, EngineClient } from '../domain/invoke-engine';
import { openOrigin, requestText } from './http-request';

export function createHttpEngineClient(baseUrl: string): EngineClient {
  const url = new URL('/evaluate', baseUrl);
  const origin = openOrigin(url, 8);
  return {
    async evaluate(request, { timeoutMs }): Promise<EngineAnswer> {
      const body = JSON.stringify(request);
      let status: number;
      let text: string;
      try {
        ({ status, text } = await requestText(
          origin,
          url.pathname,
          { headers: { 'content-type': 'application/json' }, timeoutMs },
          body,
        ));
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
