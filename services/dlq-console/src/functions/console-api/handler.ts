import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

import { filterRequestSchema, fixRequestSchema, purgeRequestSchema, redriveRequestSchema } from '../../../contracts';

import {
  buildOncePerContainer,
  guardedHttp,
  jsonResponse,
  parseJsonBody,
  staffMemberOf,
  type HttpHandler,
} from '@backbone/shared';
import { AccessDeniedError, type Actor } from '../../domain/access';

import { StaleConfirmationError, type DeadLetterConsole } from '../../domain/console';

import { filterFromOptions } from '../../domain/dead-letters';

import { InvalidEditError } from '../../domain/operations';

import { RedriveRefusedError } from '../../domain/redrive';

import { consolePage } from '../../web/page';
import { wireConsoleApi, type ConsoleApiDeps } from './wiring';

/** The caller, with the console's roles (`dlq:`) among their groups: see staffMemberOf. */
export const actorOf = (event: Pick<APIGatewayProxyEvent, 'requestContext'>): Actor | undefined =>
  staffMemberOf(event, 'dlq:');

type Route = {
  method: string;
  path: RegExp;
  handle: (actor: Actor, params: string[], event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
};

const query = (event: APIGatewayProxyEvent): Record<string, string> =>
  Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;

/** `limit`: a whole number from 1 to 1,000 (100 when absent or not a number); a negative one is not "all but one". */
export const limitOf = (event: APIGatewayProxyEvent): number => {
  const asked = Math.trunc(Number(event.queryStringParameters?.['limit'] ?? 100) || 100);
  return Math.min(1_000, Math.max(1, asked));
};

const unmaskOf = (event: APIGatewayProxyEvent) => {
  const reason = event.queryStringParameters?.['unmask'];
  return reason !== undefined ? { unmask: { reason } } : {};
};

function routes(console_: DeadLetterConsole): Route[] {
  const dlq = '([^/]+)';
  return [
    {
      // Who is signed in and what they may do: the page shows only the actions the person may take.
      method: 'GET',
      path: /^\/api\/me$/,
      handle: async (actor) => jsonResponse(200, { name: actor.name, roles: [...actor.roles].sort() }),
    },
    {
      method: 'GET',
      path: /^\/api\/queues$/,
      handle: async (actor) => jsonResponse(200, await console_.queues(actor)),
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/queues/${dlq}/groups$`),
      handle: async (actor, [name], event) =>
        jsonResponse(200, await console_.groups(actor, name!, filterFromOptions(query(event)))),
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/queues/${dlq}/messages$`),
      handle: async (actor, [name], event) =>
        jsonResponse(
          200,
          await console_.messages(actor, name!, filterFromOptions(query(event)), {
            limit: Math.min(limitOf(event), 500),
            ...(event.queryStringParameters?.['after'] ? { after: event.queryStringParameters['after'] } : {}),
            ...unmaskOf(event),
          }),
        ),
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/queues/${dlq}/plan$`),
      handle: async (actor, [name], event) => {
        const body = parseJsonBody(event, filterRequestSchema, '{"filter": {"group": "<id>", ...}}');
        if (!body.ok) return body.response;
        const plan = await console_.plan(actor, name!, filterFromOptions(body.value.filter));
        return jsonResponse(200, plan);
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/queues/${dlq}/dry-run$`),
      handle: async (actor, [name], event) => {
        const body = parseJsonBody(event, filterRequestSchema, '{"filter": {"group": "<id>", ...}}');
        if (!body.ok) return body.response;
        const result = await console_.dryRunOf(actor, name!, filterFromOptions(body.value.filter));
        return jsonResponse(200, { ...result, plan: { summary: result.plan.summary, selected: result.plan.selected } });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/queues/${dlq}/messages/([^/]+)/fix$`),
      handle: async (actor, [name, id], event) => {
        const body = parseJsonBody(
          event,
          fixRequestSchema,
          '{"edits": [{"path": "customer.phone", "value": "+447700900123"}]}',
        );
        if (!body.ok) return body.response;
        return jsonResponse(200, await console_.fixAndResend(actor, name!, id!, body.value.edits));
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/queues/${dlq}/export$`),
      handle: async (actor, [name], event) => {
        const format = event.queryStringParameters?.['format'] === 'csv' ? 'csv' : 'jsonl';
        const exported = await console_.exportLetters(actor, name!, filterFromOptions(query(event)), {
          format,
          ...unmaskOf(event),
        });
        return {
          statusCode: 200,
          headers: {
            'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
            'content-disposition': `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'jsonl'}"`,
            'cache-control': 'no-store',
          },
          body: exported.text,
        };
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/queues/${dlq}/purge$`),
      handle: async (actor, [name], event) => {
        const body = parseJsonBody(event, purgeRequestSchema, '{"filter": {...}, "confirm": "<the plan summary>"}');
        if (!body.ok) return body.response;
        return jsonResponse(
          200,
          await console_.purge(actor, name!, filterFromOptions(body.value.filter), body.value.confirm),
        );
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/api/queues/${dlq}/redrives$`),
      handle: async (actor, [name], event) => {
        const body = parseJsonBody(
          event,
          redriveRequestSchema,
          '{"filter": {...}, "confirm": "<the plan summary>", "canary": 5?, "watchSeconds": 15?, "messagesPerSecond": 500?}',
        );
        if (!body.ok) return body.response;
        const { filter, confirm, canary, watchSeconds, messagesPerSecond } = body.value;
        const record = await console_.requestRedrive(actor, name!, filter, confirm, {
          canary,
          ...(watchSeconds !== undefined ? { canaryWatchSeconds: watchSeconds } : {}),
          messagesPerSecond,
        });
        return jsonResponse(202, record);
      },
    },
    {
      method: 'GET',
      path: /^\/api\/redrives$/,
      handle: async (actor, _, event) => jsonResponse(200, await console_.redrives(actor, { limit: limitOf(event) })),
    },
    {
      method: 'POST',
      path: /^\/api\/redrives\/([0-9a-f-]{36})\/cancel$/,
      handle: async (actor, [id]) => {
        const record = await console_.cancelRedrive(actor, id!);
        return record ? jsonResponse(202, record) : jsonResponse(404, { message: `no redrive ${id}` });
      },
    },
    {
      method: 'GET',
      path: /^\/api\/redrives\/([0-9a-f-]{36})$/,
      handle: async (actor, [id]) => {
        const record = await console_.redriveStatus(actor, id!);
        return record ? jsonResponse(200, record) : jsonResponse(404, { message: `no redrive ${id}` });
      },
    },
    {
      method: 'GET',
      path: /^\/api\/audit$/,
      handle: async (actor, _, event) =>
        jsonResponse(
          200,
          await console_.audit(actor, {
            days: Math.min(90, Number(event.queryStringParameters?.['days'] ?? 7) || 7),
            limit: limitOf(event),
          }),
        ),
    },
  ];
}

/**
 * The console's HTTP API (REST API, Cognito user pool authoriser on every /api route): thin adapter from requests
 * to the console library, which checks the caller's roles. 401 without a caller, 403 for a missing role (naming
 * it), 400 for a bad request or an edit the contract refuses, 404 for an unknown DLQ or route, 409 when a redrive
 * holds the DLQ or a confirmation is stale.
 */
export function createConsoleApiHandler(deps: ConsoleApiDeps): HttpHandler {
  const table = routes(deps.console);
  const page = consolePage(deps.page);
  return guardedHttp('dlq-console', deps.logger, async (event) => {
    // The page holds no data (it calls the API with the person's token), so it is served to anyone.
    if (event.httpMethod === 'GET' && (event.path === '/' || event.path === ''))
      return {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' },
        body: page,
      };
    const actor = actorOf(event);
    if (!actor) return jsonResponse(401, { message: 'sign in: the console does not know who is asking' });
    const path = decodeURI(event.path);
    for (const route of table) {
      const match = route.path.exec(path);
      if (!match || route.method !== event.httpMethod) continue;
      try {
        return await route.handle(actor, match.slice(1).map(decodeURIComponent), event);
      } catch (error) {
        if (error instanceof AccessDeniedError) return jsonResponse(403, { message: error.message });
        if (error instanceof InvalidEditError) return jsonResponse(400, { message: error.message });
        if (error instanceof RedriveRefusedError) return jsonResponse(409, { message: error.message });
        // What is confirmed must be what would go: the DLQ may have changed since the person looked.
        if (error instanceof StaleConfirmationError)
          return jsonResponse(409, {
            message: error.message,
            plan: { summary: error.plan.summary, selected: error.plan.selected.length },
          });
        if (error instanceof Error && /^no (DLQ|dead letter)/.test(error.message))
          return jsonResponse(404, { message: error.message });
        if (error instanceof Error && /is not a (duration|failure kind)/.test(error.message))
          return jsonResponse(400, { message: error.message });
        throw error;
      }
    }
    return jsonResponse(404, { message: `no such operation: ${event.httpMethod} ${path}` });
  });
}

export const handler = buildOncePerContainer(async () => createConsoleApiHandler(wireConsoleApi()));

export type { ConsoleApiDeps } from './wiring';
