import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  buildOncePerContainer,
  guardedHttp,
  jsonResponse,
  parseJsonBody,
  staffMemberOf,
  type HttpHandler,
} from '@backbone/shared';
import {
  impactPreviewAskSchema,
  reviewDecisionSchema,
  reviewSubmissionSchema,
  snoopChangeRequestSchema,
  snoopInputSchema,
  snoopRetirementRequestSchema,
} from '../../../contracts';
import {
  AccessDeniedError,
  InvalidDefinitionError,
  SnoopExistsError,
  SnoopNotFoundError,
  StaleVersionError,
  type Actor,
  type SnoopDefinitions,
} from '../../domain/definitions';
import {
  ReviewDecidedError,
  ReviewNotFoundError,
  UnpublishableError,
  type ReviewState,
  type SnoopReviews,
} from '../../domain/reviews';
import { ImpactPreviewNotFoundError, NothingToPreviewError, type ImpactPreviews } from '../../domain/impact-previews';
import { wireSnoopDefinitions, type SnoopDefinitionsDeps } from './wiring';

type Route = {
  method: string;
  path: RegExp;
  handle: (actor: Actor, id: string, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
};

const ID = '([a-z0-9][a-z0-9-]{0,63})';
const REVIEW_ID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const VERSION = '([0-9a-f]{64})';
const REVIEW_STATES: readonly string[] = ['pending', 'approved', 'scheduled', 'sent-back'];

function routes(definitions: SnoopDefinitions, reviews: SnoopReviews, previews: ImpactPreviews): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/snoops$/,
      handle: async (actor) => jsonResponse(200, await definitions.list(actor)),
    },
    {
      method: 'POST',
      path: /^\/snoops$/,
      handle: async (actor, _id, event) => {
        const body = parseJsonBody(event, snoopInputSchema, 'a snoop: {"id", "name", "audience", "contentRef", ...}');
        return body.ok ? jsonResponse(201, await definitions.create(actor, body.value)) : body.response;
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/snoops/${ID}$`),
      handle: async (actor, id) => jsonResponse(200, await definitions.read(actor, id)),
    },
    {
      method: 'PUT',
      path: new RegExp(`^/snoops/${ID}$`),
      handle: async (actor, id, event) => {
        const body = parseJsonBody(event, snoopChangeRequestSchema, '{"expectedVersion": N, "changes": {...}}');
        if (!body.ok) return body.response;
        return jsonResponse(200, await definitions.change(actor, id, body.value.expectedVersion, body.value.changes));
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/snoops/${ID}/retirement$`),
      handle: async (actor, id, event) => {
        const body = parseJsonBody(event, snoopRetirementRequestSchema, '{"expectedVersion": N}');
        return body.ok
          ? jsonResponse(200, await definitions.retire(actor, id, body.value.expectedVersion))
          : body.response;
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/snoops/${ID}/history$`),
      handle: async (actor, id) => jsonResponse(200, await definitions.history(actor, id)),
    },
    {
      method: 'POST',
      path: new RegExp(`^/snoops/${ID}/reviews$`),
      handle: async (actor, id, event) => {
        const body = parseJsonBody(
          event,
          reviewSubmissionSchema,
          '{"expectedVersion": N, "note": "...", "impactPreviewId": "..."}',
        );
        if (!body.ok) return body.response;
        const { expectedVersion, note, impactPreviewId } = body.value;
        return jsonResponse(201, await reviews.submit(actor, id, expectedVersion, note, impactPreviewId));
      },
    },
    {
      method: 'GET',
      path: /^\/reviews$/,
      handle: async (actor, _id, event) => {
        const state = event.queryStringParameters?.['state'];
        if (state !== undefined && !REVIEW_STATES.includes(state))
          return jsonResponse(400, { message: `state must be one of ${REVIEW_STATES.join(', ')}` });
        return jsonResponse(200, await reviews.list(actor, state as ReviewState | undefined));
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/reviews/${REVIEW_ID}$`),
      handle: async (actor, reviewId) => jsonResponse(200, await reviews.read(actor, reviewId)),
    },
    {
      method: 'POST',
      path: new RegExp(`^/reviews/${REVIEW_ID}/decision$`),
      handle: async (actor, reviewId, event) => {
        const body = parseJsonBody(
          event,
          reviewDecisionSchema,
          '{"decision": "approve" | "send-back", "comment": "...", "publishAt": "<ISO time, to schedule>"}',
        );
        if (!body.ok) return body.response;
        const { decision, comment, publishAt } = body.value;
        return jsonResponse(200, await reviews.decide(actor, reviewId, decision, comment, publishAt));
      },
    },
    {
      method: 'POST',
      path: /^\/impact-previews$/,
      handle: async (actor, _id, event) => {
        const body = parseJsonBody(
          event,
          impactPreviewAskSchema,
          '{"snoopIds": ["..."], "customers": N} or {"from": "<version>", "to": "<version>", "customers": N}',
        );
        return body.ok ? jsonResponse(202, await previews.request(actor, body.value)) : body.response;
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/impact-previews/${REVIEW_ID}$`),
      handle: async (actor, previewId) => jsonResponse(200, await previews.read(actor, previewId)),
    },
    {
      method: 'GET',
      path: /^\/publications$/,
      handle: async (actor) => jsonResponse(200, await reviews.publications(actor)),
    },
    {
      method: 'GET',
      path: new RegExp(`^/publications/${VERSION}/comparison/${VERSION}$`),
      handle: async (actor, from, event) =>
        jsonResponse(200, await reviews.compare(actor, from, event.path.split('/').at(-1)!)),
    },
    {
      method: 'POST',
      path: new RegExp(`^/publications/${VERSION}/restoration$`),
      handle: async (actor, version) => jsonResponse(202, await reviews.restore(actor, version)),
    },
  ];
}

/** What each refusal of the domain is over HTTP, with its words. */
function refusal(error: unknown): APIGatewayProxyResult | undefined {
  if (error instanceof AccessDeniedError) return jsonResponse(403, { message: error.message });
  if (error instanceof SnoopNotFoundError) return jsonResponse(404, { message: error.message });
  if (error instanceof SnoopExistsError) return jsonResponse(409, { message: error.message });
  if (error instanceof StaleVersionError)
    return jsonResponse(409, {
      message: error.message,
      currentVersion: error.current.snoop.version,
      savedBy: error.current.savedBy,
      savedAt: error.current.savedAt,
      changesSince: error.changesSince,
    });
  if (error instanceof InvalidDefinitionError)
    return jsonResponse(422, { message: error.message, problems: error.problems });
  if (error instanceof ReviewNotFoundError || error instanceof ImpactPreviewNotFoundError)
    return jsonResponse(404, { message: error.message });
  if (error instanceof NothingToPreviewError) return jsonResponse(422, { message: error.message });
  if (error instanceof ReviewDecidedError) return jsonResponse(409, { message: error.message });
  if (error instanceof UnpublishableError)
    return jsonResponse(422, { message: error.message, problems: error.problems.map((p) => p.message) });
  return undefined;
}

/**
 * The snoop definitions over HTTP, for the editor and anyone signed in with the company's user pool (the `rules:`
 * groups are the roles): GET and POST /snoops, GET and PUT /snoops/{id}, POST /snoops/{id}/retirement, GET
 * /snoops/{id}/history; reviews (POST /snoops/{id}/reviews, GET /reviews, GET /reviews/{id}, POST
 * /reviews/{id}/decision), impact previews (POST /impact-previews, GET /impact-previews/{id}) and publications (GET
 * /publications, GET /publications/{version}/comparison/{other}, POST /publications/{version}/restoration).
 */
export function createSnoopDefinitionsHandler({
  definitions,
  reviews,
  previews,
  logger,
}: SnoopDefinitionsDeps): HttpHandler {
  const table = routes(definitions, reviews, previews);
  return guardedHttp('rules-ingestion', logger, async (event) => {
    const actor = staffMemberOf(event, 'rules:');
    if (!actor) return jsonResponse(401, { message: 'sign in with the staff user pool: no caller in this request' });
    const path = event.path.replace(/\/+$/, '') || '/';
    const matches = table.filter((route) => route.path.test(path));
    const route = matches.find((r) => r.method === event.httpMethod);
    if (!route)
      return matches.length > 0
        ? jsonResponse(405, { message: `${event.httpMethod} is not allowed on ${path}` })
        : jsonResponse(404, { message: `no such resource: ${path}` });
    try {
      return await route.handle(actor, route.path.exec(path)?.[1] ?? '', event);
    } catch (error) {
      const answer = refusal(error);
      if (answer) return answer;
      throw error;
    }
  });
}

export const handler = buildOncePerContainer(async () => createSnoopDefinitionsHandler(wireSnoopDefinitions()));
