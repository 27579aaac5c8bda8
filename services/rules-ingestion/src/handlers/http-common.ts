/**
 * What the HTTP handlers share (API Gateway REST API, AWS_IAM authorisation): JSON responses, the
 * report of invalid definitions, and a 500 that names the request instead of showing a stack.
 */
import { createLogger } from '@backbone/shared';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ValidationError } from '../domain/rule-set';

export const logger = createLogger('rules-ingestion');

export const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const invalid = (errors: readonly ValidationError[]) => ({
  message: `${errors.length} problem(s) in the snoop definitions; nothing was written. Fix them and try again.`,
  errors,
});

/** A failure of ours (database down, S3 refusing) is a 500 with the request id to look it up by, never a stack. */
export async function guarded(
  event: APIGatewayProxyEvent,
  work: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  try {
    return await work();
  } catch (error) {
    logger.error('request failed', { path: event.path, requestId: event.requestContext.requestId, error });
    return json(500, {
      message: 'rules-ingestion could not complete the request; try again, or quote this request id',
      requestId: event.requestContext.requestId,
    });
  }
}

export function parseBody(event: APIGatewayProxyEvent): { ok: true; body: unknown } | { ok: false } {
  const text = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (!text || text.trim() === '') return { ok: true, body: {} };
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
