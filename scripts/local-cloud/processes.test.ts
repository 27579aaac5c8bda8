import { spawn } from 'node:child_process';
import { isAlive, processState } from './processes';

describe('isAlive', () => {
  it('is true for a running process and false for a zombie, which still answers signal 0', async () => {
    // The shell starts "sleep 0" in the background, prints its pid, then becomes "sleep 5", which never reaps
    // it: for five seconds "sleep 0" is a zombie, as a killed component is under a parent that reaps nothing.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(
        await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk)))),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(processState(zombie)).toBe('Z');
      expect(isAlive(zombie)).toBe(false);
      expect(isAlive(parent.pid!)).toBe(true);
      expect(processState(parent.pid!)).toMatch(/^[RS]$/);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('is false for a pid that is not running', () => {
    expect(isAlive(2 ** 22 + 1)).toBe(false);
  });
});
