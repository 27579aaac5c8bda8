/**
 * The rules engine over HTTP (its load balancer in AWS, over HTTPS; the local one here), with kept-alive connections:
 * the invoke Lambda calls it for every batch, so a warm container reuses its connection. Every request is signed with
 * the engine's secret (the engine answers nothing else).
 */
import { signatureHeaders } from '@backbone/shared';
import { ENGINE_PATHS, readEvaluateAnswer, type EngineAnswer } from '../../contracts';
import type { EngineClient } from '../domain/invoke-engine';
import { openOrigin, requestText } from './http-request';

export function createHttpEngineClient(baseUrl: string, secret: () => Promise<string>): EngineClient {
  const url = new URL(ENGINE_PATHS.evaluate, baseUrl);
  const origin = openOrigin(url, 8);
  return {
    async evaluate(request, { timeoutMs }): Promise<EngineAnswer> {
      const body = JSON.stringify(request);
      let status: number;
      let text: string;
      try {
        const signed = signatureHeaders(await secret(), { method: 'POST', path: url.pathname, body });
        ({ status, text } = await requestText(
          origin,
          url.pathname,
          { headers: { 'content-type': 'application/json', ...signed }, timeoutMs },
          body,
        ));
      } catch (error) {
        return {
          kind: 'unavailable',
          message: `${url.host}: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      return readEvaluateAnswer(status, text);
    },
  };
}
