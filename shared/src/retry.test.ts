import { backoffDelay, retryUntil, retryWhile } from './retry';

const failing = (times: number) => {
  let calls = 0;
  return {
    call: async () => {
      calls++;
      if (calls <= times) throw new Error(`failure ${calls}`);
      return calls;
    },
    calls: () => calls,
  };
};

describe('retryUntil', () => {
  it('tries once without a limit', async () => {
    const flaky = failing(1);
    await expect(retryUntil(flaky.call, {})).rejects.toThrow('failure 1');
    expect(flaky.calls()).toBe(1);
  });

  it('waits 100 ms, doubling to 1 s, and returns the first success', async () => {
    const waits: number[] = [];
    const flaky = failing(6);
    await expect(retryUntil(flaky.call, { attempts: 10, sleep: async (ms) => void waits.push(ms) })).resolves.toBe(7);
    expect(waits).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('stops at the attempt limit with the last error, and before a wait that would end past `until`', async () => {
    const flaky = failing(10);
    await expect(retryUntil(flaky.call, { attempts: 3, sleep: async () => undefined })).rejects.toThrow('failure 3');
    const late = failing(10);
    const waits: number[] = [];
    // The clock stands still (the injected sleep takes no time): only the limit decides, however busy the machine.
    jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      await expect(
        retryUntil(late.call, { until: 1_000_350, sleep: async (ms) => void waits.push(ms) }),
      ).rejects.toThrow('failure 3');
    } finally {
      jest.restoreAllMocks();
    }
    expect(waits).toEqual([100, 200]);
  });
});

describe('retryWhile', () => {
  it('repeats on an answer, not only on an error, and returns the last answer at the limit', async () => {
    const answers = [3, 2, 0];
    const waits: number[] = [];
    const seen: number[] = [];
    const left = await retryWhile(
      async (attempt) => {
        seen.push(attempt);
        return answers[attempt - 1]!;
      },
      (n) => n > 0,
      { attempts: 5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(left).toBe(0);
    expect(seen).toEqual([1, 2, 3]);
    expect(waits).toEqual([100, 200]);
    const stuck = await retryWhile(
      async () => 7,
      (n) => n > 0,
      { attempts: 2, sleep: async () => undefined },
    );
    expect(stuck).toBe(7);
  });

  it('never starts a wait that would end past `until`, on the clock it is given', async () => {
    let clock = 0;
    const waits: number[] = [];
    const calls = await retryWhile(
      async (attempt) => attempt,
      () => true,
      {
        until: 1_000,
        baseMs: 300,
        capMs: 10_000,
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      },
    );
    // 300 (ends at 300), 600 (ends at 900); the next, 1,200, would end past 1,000.
    expect(waits).toEqual([300, 600]);
    expect(calls).toBe(3);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base to the cap, and with full jitter draws a share of each step', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, { baseMs: 250, capMs: 2_000 }))).toEqual([
      250, 500, 1_000, 2_000, 2_000,
    ]);
    expect(backoffDelay(3, { baseMs: 250, capMs: 2_000, jitter: 'full', random: () => 0.5 })).toBe(500);
    expect(backoffDelay(1, {})).toBe(100);
    expect(backoffDelay(9, {})).toBe(1_000);
  });
});
