const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryLimits {
  /** Epoch ms: no attempt starts at or after it (undefined: no time limit). */
  until?: number;
  /** At most this many attempts in all (undefined: no count limit). With neither limit, one attempt. */
  attempts?: number;
  /** Waits between attempts (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Calls `call`, and again after 100 ms, doubling up to 1 s, while another attempt may start within the limits. For
 * the calls a function makes before it settles a message, so that an endpoint gone for a few seconds costs a wait
 * inside the invocation rather than a message back after its visibility timeout.
 */
export async function retryUntil<T>(call: () => Promise<T>, limits: RetryLimits): Promise<T> {
  const sleep = limits.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const wait = Math.min(1_000, 100 * 2 ** (attempt - 1));
      const unlimited = limits.until === undefined && limits.attempts === undefined;
      const outOfTime = limits.until !== undefined && Date.now() + wait >= limits.until;
      const outOfAttempts = limits.attempts !== undefined && attempt >= limits.attempts;
      if (unlimited || outOfTime || outOfAttempts) throw error;
      await sleep(wait);
    }
  }
}
