/**
 * The rules engine's HTTP protocol, the one contract its server (engine/server.ts) and the invoke step's client
 * (src/adapters/engine-client.ts) both use: a change here is a type error on both sides.
 *
 *   POST /evaluate        EvaluateRequest -> 200 EvaluateResponse; 400/413 refused for what it is (drop it);
 *                         409 the run fence refused the run (superseded: drop it); 503 not ready (retry)
 *   GET  /health          200 {status: 'ready', rulesVersion} | 503 {status: 'loading', reason}
 *   GET  /rules/version   the version serving, and the last failed load
 *   POST /rules/refresh   {version?} with the refresh secret -> 200 | 401 | 422 (the last good version serves on)
 */
import { z } from 'zod';

export const ENGINE_PATHS = {
  evaluate: '/evaluate',
  health: '/health',
  rulesVersion: '/rules/version',
  refresh: '/rules/refresh',
} as const;

/** The request limits: one request is one customer read and at most this much work. */
export const EVALUATE_LIMITS = { customers: 500, pairs: 50_000 } as const;

const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a snoop id: a lowercase slug such as "energy-switch"');
const customerId = z.string().min(1).max(128);
const ruleIds = z.array(ruleId).min(1).max(2_000);
const customerRequest = z
  .object({ customerId, ruleIds: ruleIds.optional(), ruleId: ruleId.optional() })
  .strict()
  .refine((c) => !(c.ruleIds && c.ruleId), { message: 'give ruleIds or ruleId, not both' });

/**
 * One customer (`customerId` with `ruleIds`, or the original design's single `ruleId`), or many (`customers`), for a
 * run. `on` is the evaluation day (default: today, UTC); `dryRun` scores without writing (support, the demo).
 * The response carries every pair's result only with `includeResults` (or on a dry run): the results are in
 * DynamoDB, and a run's caller needs the counts and the errors.
 */
export const evaluateRequestSchema = z
  .object({
    runId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/, 'letters, digits and : . _ - (at most 128)')
      .optional(),
    on: z.iso.date().optional(),
    dryRun: z.boolean().optional(),
    includeResults: z.boolean().optional(),
    customerId: customerId.optional(),
    ruleIds: ruleIds.optional(),
    ruleId: ruleId.optional(),
    customers: z.array(customerRequest).min(1).max(EVALUATE_LIMITS.customers).optional(),
  })
  .strict()
  .superRefine((request, context) => {
    const one = request.customerId !== undefined;
    if (one === (request.customers !== undefined))
      context.addIssue({ code: 'custom', message: 'give either customerId (one customer) or customers (a batch)' });
    if (!one && (request.ruleIds || request.ruleId))
      context.addIssue({ code: 'custom', message: 'in a batch, each customer names its own ruleIds' });
    if (request.ruleIds && request.ruleId)
      context.addIssue({ code: 'custom', path: ['ruleId'], message: 'give ruleIds or ruleId, not both' });
    if (!request.dryRun && !request.runId)
      context.addIssue({ code: 'custom', path: ['runId'], message: 'required unless dryRun is true' });
  });

export type EvaluateRequest = z.infer<typeof evaluateRequestSchema>;

/** One item the engine could not score: the rest of the request was scored. */
export const itemErrorSchema = z.object({
  customerId: z.string(),
  ruleId: z.string().optional(),
  code: z.enum(['unknown-customer', 'unknown-rule', 'not-active']),
  reason: z.string(),
});
export type ItemError = z.infer<typeof itemErrorSchema>;

/** 200 to POST /evaluate: counts, errors per item, and every pair's result with `includeResults` or a dry run. */
export const evaluateResponseSchema = z.object({
  runId: z.string().optional(),
  rulesVersion: z.string(),
  on: z.string(),
  dryRun: z.boolean(),
  evaluated: z.number().int().nonnegative(),
  qualified: z.number().int().nonnegative(),
  written: z.number().int().nonnegative(),
  results: z
    .array(
      z.object({
        customerId: z.string(),
        ruleId: z.string(),
        qualified: z.boolean(),
        score: z.number(),
        explanation: z.string(),
      }),
    )
    .optional(),
  errors: z.array(itemErrorSchema),
});
export type EvaluateResponse = z.infer<typeof evaluateResponseSchema>;

/** Any answer but a 200: what went wrong, in words, and for a 409 why (`superseded`, `not-started`). */
export const engineErrorSchema = z.looseObject({
  error: z.string(),
  reason: z.string().optional(),
  retryable: z.boolean().optional(),
});

/** The request the invoke step sends: a run's customers for one day, each with the rules to score. */
export type EvaluateBatchRequest = Required<Pick<EvaluateRequest, 'runId' | 'on'>> & {
  customers: { customerId: string; ruleIds: string[] }[];
};

/** What an answer to POST /evaluate means to its caller. */
export type EngineAnswer =
  | { kind: 'scored'; evaluated: number; written: number; errors: ItemError[] }
  /** The run fence refused the run: a newer run has started, so this one's results are not wanted. */
  | { kind: 'superseded'; message: string }
  /** The engine refused the request for what it is (400, 413): sending it again would not help. */
  | { kind: 'refused'; message: string }
  /** Not answered, 5xx, not ready, an answer that is not the protocol's: worth another attempt. */
  | { kind: 'unavailable'; message: string };

/** Reads an answer to POST /evaluate by the protocol: its status, then its body against the status's schema. */
export function readEvaluateAnswer(status: number, text: string): EngineAnswer {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A load balancer's own page (502, 503): the status says what happened.
  }
  if (status === 200) {
    const scored = evaluateResponseSchema.safeParse(body);
    if (!scored.success)
      return {
        kind: 'unavailable',
        message: `HTTP 200 with an answer that is not an evaluation: ${text.slice(0, 200)}`,
      };
    return {
      kind: 'scored',
      evaluated: scored.data.evaluated,
      written: scored.data.written,
      errors: scored.data.errors,
    };
  }
  const error = engineErrorSchema.safeParse(body);
  const message = error.success ? error.data.error : text.slice(0, 200);
  if (status === 409) return { kind: 'superseded', message };
  if (status === 400 || status === 413) return { kind: 'refused', message };
  return { kind: 'unavailable', message: `HTTP ${status}: ${message}` };
}

/** POST /rules/refresh: the version to load (a rollback), or none for the active one. */
export const refreshRequestSchema = z.object({
  version: z
    .string()
    .regex(/^[0-9a-f]{16,64}$/, 'a rule set version (a lowercase hex content hash)')
    .optional(),
});
