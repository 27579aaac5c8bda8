import { spawn } from 'node:child_process';
import { checkoutNamedIn, isAlive, processState } from './processes';

describe('isAlive', () => {
  it('is true for a running process and false for a zombie, which still answers signal 0', async () => {
    // A parent that forks a child which exits at once, prints its pid and never reaps it: for five seconds the child
    // is a zombie, as a killed component is under a parent that reaps nothing. (A shell's "sleep 0 & exec sleep 5"
    // raced: on a busy machine the shell could reap the child before its exec, and the pid was gone.)
    const parent = spawn(
      'python3',
      ['-c', 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(5)'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const zombie = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk)))),
      );
      // "sleep 0" exits at once, but on a busy machine not within any fixed time: wait for it, up to 4 s.
      for (const deadline = Date.now() + 4_000; processState(zombie) !== 'Z' && Date.now() < deadline;)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(processState(zombie)).toBe('Z');
      expect(isAlive(zombie)).toBe(false);
      expect(isAlive(parent.pid!)).toBe(true);
      // Running, sleeping, or (on a busy machine) waiting on the disk: alive in every case.
      expect(processState(parent.pid!)).toMatch(/^[RSD]$/);
    } finally {
      parent.kill('SIGKILL');
    }
    // On a busy machine the shell itself can take seconds to start; the wait above is bounded by its own deadline.
  }, 20_000);

  it('is false for a pid that is not running', () => {
    expect(isAlive(2 ** 22 + 1)).toBe(false);
  });
});

describe('checkoutNamedIn', () => {
  it("names the checkout of a component started from another clone's .local-cloud or scripts", () => {
    expect(
      checkoutNamedIn(['java', '-Dcassandra.config=file:///root/other/.local-cloud/cassandra/conf/cassandra.yaml']),
    ).toBe('/root/other');
    expect(checkoutNamedIn(['/tmp/x/clone/.local-cloud/moto/venv/bin/python', '-p', '4569'])).toBe('/tmp/x/clone');
    expect(checkoutNamedIn(['node', '--import', 'tsx', '/srv/b/scripts/local-cloud/gateway.ts'])).toBe('/srv/b');
  });

  it('names nothing for a process that is not part of a local cloud', () => {
    expect(checkoutNamedIn(['/usr/sbin/pgbouncer', '/etc/pgbouncer/pgbouncer.ini', '/'])).toBeUndefined();
    expect(checkoutNamedIn([])).toBeUndefined();
  });
});
