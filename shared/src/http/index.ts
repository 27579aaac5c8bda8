/**
 * What every HTTP function (API Gateway REST API, Lambda proxy integration) needs around its domain call:
 * JSON answers, a body read against a schema with a 400 that names the field at fault, the caller's
 * identity from AWS_IAM authorisation, and a 500 that names the request instead of showing a stack.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Logger } from '../observability';
import { fieldProblems } from '../validation';

export * from './sigv4';
export * from './staff-page';

export type HttpHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

export const jsonResponse = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export type ParsedBody<T> = { ok: true; value: T } | { ok: false; response: APIGatewayProxyResult };

/**
 * The request's JSON body checked against `schema` (an empty body reads as `{}`). On failure, a 400 whose
 * message says what was wrong and what to send, and whose `problems` name each field (`definition: ...`).
 */
export function parseJsonBody<S extends z.ZodType>(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  schema: S,
  expected: string,
): ParsedBody<z.output<S>> {
  const text = event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let body: unknown = {};
  if (text && text.trim() !== '') {
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return { ok: false, response: jsonResponse(400, { message: `the body is not JSON; send ${expected}` }) };
    }
  }
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const problems = fieldProblems(result.error.issues, '', '(body)');
  return {
    ok: false,
    response: jsonResponse(400, {
      message: `${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}. Send ${expected}.`,
      problems,
    }),
  };
}

/** Who signed the request: API Gateway fills this in for AWS_IAM endpoints (locally, the SigV4 check does). */
export interface CallerIdentity {
  /** The IAM principal's ARN (a user, or an assumed role's session). */
  arn: string;
  accessKey?: string;
}

export function callerIdentity(event: Pick<APIGatewayProxyEvent, 'requestContext'>): CallerIdentity | undefined {
  const identity = event.requestContext?.identity;
  if (!identity?.userArn) return undefined;
  return { arn: identity.userArn, ...(identity.accessKey ? { accessKey: identity.accessKey } : {}) };
}

export const unsignedRequest = (): APIGatewayProxyResult =>
  jsonResponse(403, { message: 'sign the request with AWS SigV4 (AWS_IAM authorisation): the caller is unknown' });

/** A failure of ours (a database down, S3 refusing) answers 500 with the request id to look it up by. */
export function guardedHttp(service: string, logger: Logger, handle: HttpHandler): HttpHandler {
  return async (event, context) => {
    // The Lambda context on each log line of the request (function, request id, cold start: Powertools' keys).
    // Test doubles of the logger may not have it; Powertools' always does.
    if (context && typeof logger.addContext === 'function') logger.addContext(context);
    try {
      return await handle(event, context);
    } catch (error) {
      logger.error('request failed', { path: event.path, requestId: event.requestContext.requestId, error });
      return jsonResponse(500, {
        message: `${service} could not complete the request; try again, or quote this request id`,
        requestId: event.requestContext.requestId,
      });
    }
  };
}
export * from './client';
export * from './staff';
export * from './signed-requests';
