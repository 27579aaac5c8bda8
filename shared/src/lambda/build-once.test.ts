import { buildOncePerContainer } from './build-once';

describe('buildOncePerContainer', () => {
  it('builds on the first invocation only, then reuses what it built', async () => {
    let builds = 0;
    const handler = buildOncePerContainer(async () => {
      builds++;
      return async (event: number) => event * 2;
    });
    expect(builds).toBe(0);
    await expect(Promise.all([handler(1, {}), handler(2, {})])).resolves.toEqual([2, 4]);
    await expect(handler(3, {})).resolves.toBe(6);
    expect(builds).toBe(1);
  });

  it('fails the invocation whose build failed, and builds again on the next one', async () => {
    let builds = 0;
    const handler = buildOncePerContainer(async () => {
      builds++;
      if (builds === 1) throw new Error('SSM unreachable');
      return async (event: string) => `handled ${event}`;
    });
    await expect(handler('a', {})).rejects.toThrow('SSM unreachable');
    await expect(handler('b', {})).resolves.toBe('handled b');
    await expect(handler('c', {})).resolves.toBe('handled c');
    expect(builds).toBe(2);
  });

  it('keeps what it built when the handler itself fails', async () => {
    let builds = 0;
    const handler = buildOncePerContainer(async () => {
      builds++;
      return async (event: boolean) => {
        if (event) throw new Error('bad batch');
        return 'ok';
      };
    });
    await expect(handler(true, {})).rejects.toThrow('bad batch');
    await expect(handler(false, {})).resolves.toBe('ok');
    expect(builds).toBe(1);
  });
});
