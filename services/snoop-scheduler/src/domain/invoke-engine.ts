/**
 * The invoke step of the nightly run: a batch of {run, customer, rule ids} from the customer-rules queue becomes one
 * request to the rules engine (several customers per request), tried up to five times with exponential backoff and
 * full jitter, never past the time the function has left. Per record, the outcome: done (undefined), or the error it
 * failed with: permanent ones go to the DLQ with their reason, retryable ones come back through the queue.
 */
import { backoffDelay, PermanentError, RetryableError } from '@backbone/shared';
import { type CustomerRules, type EngineAnswer, type EvaluateBatchRequest } from '../../contracts';

/** The request for one run and day: the batch's customers, each with its rules. */
export type EngineRequest = EvaluateBatchRequest;

export type { EngineAnswer } from '../../contracts';

export interface EngineClient {
  evaluate(request: EngineRequest, options: { timeoutMs: number }): Promise<EngineAnswer>;
}

export interface InvokePolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long one attempt may take. */
  requestTimeoutMs: number;
}

export const DEFAULT_INVOKE_POLICY: InvokePolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  requestTimeoutMs: 10_000,
};

export interface InvokeDependencies {
  engine: EngineClient;
  policy?: InvokePolicy;
  /** Milliseconds the function may still spend (its remaining time less what settling the records needs). */
  remainingMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onAnswer?: (answer: EngineAnswer, request: EngineRequest) => void;
}

/** Scores the records' customers; returns, per record and in order, undefined or the error it failed with. */
export async function invokeEngine(
  records: readonly CustomerRules[],
  deps: InvokeDependencies,
): Promise<(Error | undefined)[]> {
  const policy = deps.policy ?? DEFAULT_INVOKE_POLICY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const outcomes = new Array<Error | undefined>(records.length);

  // One request per run and day (a batch normally holds one of each).
  const groups = new Map<string, number[]>();
  records.forEach((record, i) => {
    const key = `${record.runId} ${record.on}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });

  for (const indexes of groups.values()) {
    const first = records[indexes[0]!]!;
    const request: EngineRequest = {
      runId: first.runId,
      on: first.on,
      customers: indexes.map((i) => ({ customerId: records[i]!.customerId, ruleIds: [...records[i]!.ruleIds] })),
    };
    const answer = await withRetries(request, deps, policy, sleep, random);
    if (answer instanceof Error) {
      for (const i of indexes) outcomes[i] = answer;
      continue;
    }
    deps.onAnswer?.(answer, request);
    if (answer.kind === 'superseded') continue; // done: a newer run has the last word
    if (answer.kind === 'refused') {
      const error = new PermanentError(`the rules engine refused the request: ${answer.message}`);
      for (const i of indexes) outcomes[i] = error;
      continue;
    }
    // Scored: a customer the store does not know is that record's failure; an unknown or retired snoop is not (the
    // rule set changed during the run, and there is nothing to write for it).
    for (const i of indexes) {
      const missing = answer.errors.find(
        (e) => e.customerId === records[i]!.customerId && e.code === 'unknown-customer',
      );
      if (missing) outcomes[i] = new PermanentError(missing.reason);
    }
  }
  return outcomes;
}

async function withRetries(
  request: EngineRequest,
  deps: InvokeDependencies,
  policy: InvokePolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
): Promise<Exclude<EngineAnswer, { kind: 'unavailable' }> | Error> {
  let last = '';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const timeoutMs = Math.min(policy.requestTimeoutMs, deps.remainingMs());
    if (timeoutMs < 1_000)
      return new RetryableError(
        `the function ran out of time after ${attempt - 1} attempts to reach the rules engine (${last || 'no answer'}); ` +
          'the records come back through the queue',
      );
    const answer = await deps.engine.evaluate(request, { timeoutMs });
    if (answer.kind !== 'unavailable') return answer;
    last = answer.message;
    if (attempt === policy.maxAttempts) break;
    // Full jitter: the invocations that failed together do not all come back together.
    const delay = backoffDelay(attempt, {
      baseMs: policy.baseDelayMs,
      capMs: policy.maxDelayMs,
      jitter: 'full',
      random,
    });
    if (delay + 1_000 > deps.remainingMs()) continue; // the next attempt will say it is out of time
    await sleep(delay);
  }
  return new PermanentError(
    `the rules engine did not answer after ${policy.maxAttempts} attempts (last: ${last}); ` +
      'the record is in the DLQ: redrive it when the engine is back',
  );
}
