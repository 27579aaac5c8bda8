/**
 * The rules engine's HTTP face, on Node's own http module: four routes need no framework, and nothing stands
 * between a request and the evaluation (no per-request middleware chain, no body re-parsing). It adapts requests to
 * the domain (domain/engine) and answers in JSON:
 *
 *   POST /evaluate        score customers for a run and write the results       200 | 400 | 401 | 409 | 413 | 503
 *   GET  /health          ready once a rule set is loaded (the load balancer)    200 | 503
 *   GET  /rules/version   the version serving, and the last failed load          200 | 401
 *   POST /rules/refresh   load the active version, or {"version": ...} (rollback) 200 | 401 | 422
 *
 * Every route but /health answers only requests signed with the engine's secret (signatureHeaders in
 * @backbone/shared), fresh and not seen before; anything else is a 401 with no data.
 */
import http from 'node:http';
import type { Logger, SignatureCheck } from '@backbone/shared';
import type { z } from 'zod';
import { ENGINE_PATHS, evaluateRequestSchema, refreshRequestSchema, type EvaluateResponse } from '../contracts';
import { evaluateCustomers, type CustomerReader, type ResultWriter } from './domain/evaluate';
import type { RuleSetHolder } from '../src/domain/rule-sets';
import { RunSupersededError, type RunFenceGuard } from './domain/run-fence';
import { withoutTracing, type EngineTracer } from './tracing';

/** What the engine reports, as metrics (EMF in AWS) and nothing personal. */
export interface EngineMetrics {
  evaluated(request: {
    evaluations: number;
    qualified: number;
    errors: number;
    latencyMs: number;
    version: string;
  }): void;
  failed(kind: 'request' | 'rule-set-load'): void;
}

export type EngineLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface EngineServerDependencies {
  rules: RuleSetHolder;
  readCustomers: CustomerReader;
  results: ResultWriter;
  fence: RunFenceGuard;
  /**
   * Checks a request's signature (see @backbone/shared's signed requests: an HMAC under the engine's secret, from
   * Secrets Manager in AWS): every route but GET /health answers only signed, fresh, first-time requests.
   */
  verifySignature: (request: {
    method: string;
    path: string;
    body: Buffer;
    headers: http.IncomingHttpHeaders;
  }) => Promise<SignatureCheck>;
  maxWindowDays: number;
  metrics: EngineMetrics;
  logger: EngineLogger;
  /** X-Ray: a segment per request, a subsegment per step that waits on another system (engine/tracing.ts). */
  tracer?: EngineTracer;
}

/** Larger bodies are refused before they are read: a batch of 500 customers with their rule ids fits easily. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const send = (response: http.ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
};

/** The body's bytes, refused past MAX_BODY_BYTES before they are all read. */
async function readRawBody(request: http.IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpError(413, `the body is ${declared} bytes; at most ${MAX_BODY_BYTES}: send fewer customers`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes: send fewer customers`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new HttpError(400, `the body is not JSON: ${(error as Error).message}`);
  }
}

/** Zod's issues as one message that names each field: "customers.3.ruleIds.0: a snoop id ...". */
function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : 'body'}: ${i.message}`);
  throw new HttpError(400, `invalid request: ${problems.join('; ')}`, { problems });
}

export function createEngineServer(deps: EngineServerDependencies): http.Server {
  const { rules, logger, metrics } = deps;
  const tracer = deps.tracer ?? withoutTracing;
  // The steps that wait on another system, each its own subsegment of the request's trace.
  const readCustomers: CustomerReader = (ids, options) =>
    tracer.step('customer store', () => deps.readCustomers(ids, options));
  const results: ResultWriter = {
    write: (items, options) => tracer.step('results write', () => deps.results.write(items, options)),
  };
  const fence: RunFenceGuard = { admit: (runId) => tracer.step('run fence', () => deps.fence.admit(runId)) };

  /** The body of a request whose signature holds; else 401, with nothing of the engine's data. */
  const signedBody = async (request: http.IncomingMessage, path: string): Promise<unknown> => {
    const body = await readRawBody(request);
    const check = await deps.verifySignature({ method: request.method ?? '', path, body, headers: request.headers });
    if (!check.ok) throw new HttpError(401, `the engine answers signed requests only: ${check.reason}`);
    return parseJson(body);
  };

  const evaluate = async (request: http.IncomingMessage, response: http.ServerResponse, path: string) => {
    const began = performance.now();
    const body = parse(evaluateRequestSchema, await signedBody(request, path));
    // Taken once: the whole request is scored on this version, whatever a refresh does meanwhile.
    const ruleSet = rules.current;
    if (!ruleSet) throw new HttpError(503, 'no rule set is loaded yet; retry shortly', { retryable: true });
    let outcome;
    try {
      outcome = await evaluateCustomers(body, {
        ruleSet,
        readCustomers,
        results,
        fence,
        maxWindowDays: deps.maxWindowDays,
      });
    } catch (error) {
      if (error instanceof RunSupersededError)
        throw new HttpError(409, error.message, { reason: 'superseded', written: error.written });
      throw error;
    }
    if (outcome.kind === 'too-large') throw new HttpError(413, outcome.message);
    if (outcome.kind === 'refused')
      throw new HttpError(409, outcome.admission.message, {
        reason: outcome.admission.reason,
        ...(outcome.admission.current ? { currentRun: outcome.admission.current } : {}),
      });
    const result = outcome.response;
    metrics.evaluated({
      evaluations: result.evaluated,
      qualified: result.qualified,
      errors: result.errors.length,
      latencyMs: performance.now() - began,
      version: result.rulesVersion,
    });
    send(response, 200, result satisfies EvaluateResponse);
  };

  const refresh = async (request: http.IncomingMessage, response: http.ServerResponse, path: string) => {
    const body = parse(refreshRequestSchema, await signedBody(request, path));
    const outcome = await rules.refresh(body.version);
    if (outcome.ok) {
      logger.info('rule set refreshed', { version: outcome.version, changed: outcome.changed, loadMs: outcome.loadMs });
      send(response, 200, outcome);
    } else {
      metrics.failed('rule-set-load');
      logger.error('rule set refresh failed; the last good version keeps serving', { ...outcome });
      send(response, 422, outcome);
    }
  };

  const version = async (request: http.IncomingMessage, response: http.ServerResponse, path: string) => {
    await signedBody(request, path);
    const serving = rules.current;
    const failure = rules.lastFailure;
    send(response, 200, {
      serving: serving
        ? {
            version: serving.version,
            publishedAt: serving.publishedAt,
            loadedAt: serving.loadedAt.toISOString(),
            loadMs: Math.round(serving.loadMs),
            activeRules: serving.ruleSet.activeIds.length,
          }
        : null,
      ...(failure ? { lastFailure: { ...failure, at: failure.at.toISOString() } } : {}),
    });
  };

  const route = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    const key = `${request.method} ${path}`;
    switch (key) {
      case `POST ${ENGINE_PATHS.evaluate}`:
        return evaluate(request, response, request.url ?? '/');
      case `GET ${ENGINE_PATHS.health}`: {
        const serving = rules.current;
        return serving
          ? send(response, 200, { status: 'ready', rulesVersion: serving.version })
          : send(response, 503, {
              status: 'loading',
              reason: rules.lastFailure?.reason ?? 'loading the first rule set',
            });
      }
      case `GET ${ENGINE_PATHS.rulesVersion}`:
        return version(request, response, request.url ?? '/');
      case `POST ${ENGINE_PATHS.refresh}`:
        return refresh(request, response, request.url ?? '/');
      default:
        throw new HttpError(
          404,
          `no route ${key}; routes: POST /evaluate, GET /health, GET /rules/version, POST /rules/refresh`,
        );
    }
  };

  const server = http.createServer((request, response) => {
    tracer
      .request(request, response, () => route(request, response))
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (error.status >= 500) metrics.failed('request');
          return send(response, error.status, { error: error.message, ...error.details });
        }
        metrics.failed('request');
        const id = Math.random().toString(36).slice(2, 10);
        logger.error('request failed', { errorId: id, error: error instanceof Error ? error.message : String(error) });
        // The dependencies (PostgreSQL, DynamoDB) failed: a caller may retry; no stack leaves the process.
        send(response, 503, {
          error: `the engine could not finish the request (error ${id}); retry it`,
          retryable: true,
        });
      });
  });
  // Longer than the load balancer's idle timeout (60 s), so the balancer, not the engine, closes idle connections.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
