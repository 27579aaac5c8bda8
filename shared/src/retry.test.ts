import { retryUntil } from './retry';

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
