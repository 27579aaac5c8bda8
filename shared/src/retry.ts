/**
 * The one retry helper: every loop that tries a call again after a growing wait (a DynamoDB batch that left items
 * unprocessed, an engine that did not answer, a settle call to an endpoint gone for a moment) is `retryUntil` or
 * `retryWhile` with its limits, or takes its waits from `backoffDelay`.
 *
 * Why not a library such as p-retry: its waits grow by a random factor of 1 to 2 (not full jitter), its time limit
 * lets a wait run past the deadline (it checks the time spent, not the time the next attempt would start), and it
 * retries only on a thrown error where half of these loops retry on an answer (items left, no answer).
 */
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryLimits {
  /** Epoch ms: no attempt starts at or after it, and no wait runs into it (undefined: no time limit). */
  until?: number;
  /** At most this many attempts in all (undefined: no count limit). With neither limit, one attempt. */
  attempts?: number;
  /** The wait after the first attempt (default 100 ms); it doubles after each attempt, up to `capMs` (default 1 s). */
  baseMs?: number;
  capMs?: number;
  /**
   * `none`: each wait is its full step. `full`: a random share of it, so that callers that failed together (throttled
   * writers, invocations of one burst) do not come back together.
   */
  jitter?: 'none' | 'full';
  /** Waits between attempts, and the random draw for jitter (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** The clock `until` is read against (injected by tests). */
  now?: () => number;
}

/** The wait after attempt `attempt` (1-based): base doubled per attempt, capped, with the limits' jitter. */
export function backoffDelay(
  attempt: number,
  limits: Pick<RetryLimits, 'baseMs' | 'capMs' | 'jitter' | 'random'>,
): number {
  const step = Math.min(limits.capMs ?? 1_000, (limits.baseMs ?? 100) * 2 ** (attempt - 1));
  return limits.jitter === 'full' ? (limits.random ?? Math.random)() * step : step;
}

/** Whether another attempt may start after `attempt` attempts and a wait of `wait` ms. */
function mayTryAgain(attempt: number, wait: number, limits: RetryLimits): boolean {
  if (limits.until === undefined && limits.attempts === undefined) return false;
  if (limits.until !== undefined && (limits.now ?? Date.now)() + wait >= limits.until) return false;
  return limits.attempts === undefined || attempt < limits.attempts;
}

/**
 * Calls `call` until it returns an answer `again` does not ask to repeat, waiting between attempts as `limits` say;
 * returns the last answer (which may still be one `again` would repeat, once the limits are reached). `call` is told
 * the attempt's number (1-based).
 */
export async function retryWhile<T>(
  call: (attempt: number) => Promise<T>,
  again: (answer: T) => boolean,
  limits: RetryLimits,
): Promise<T> {
  const sleep = limits.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    const answer = await call(attempt);
    if (!again(answer)) return answer;
    const wait = backoffDelay(attempt, limits);
    if (!mayTryAgain(attempt, wait, limits)) return answer;
    await sleep(wait);
  }
}

/**
 * Calls `call`, and again after 100 ms, doubling up to 1 s, while another attempt may start within the limits;
 * throws the last error. For the calls a function makes before it settles a message, so that an endpoint gone for
 * a few seconds costs a wait inside the invocation rather than a message back after its visibility timeout.
 */
export async function retryUntil<T>(call: () => Promise<T>, limits: RetryLimits): Promise<T> {
  const outcome = await retryWhile(
    () =>
      call().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    (answer) => !answer.ok,
    limits,
  );
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
