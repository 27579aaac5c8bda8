import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('serverless-offline after a function timed out', () => {
  it('answers the next invocation of the same instance (patched for dherault/serverless-offline#1896)', async () => {
    // A sign-up check whose cold start outlasts its timeout on a busy machine, or a consumer's batch that does, must
    // cost that one invocation, as on Lambda; unpatched, every later one on that instance 504s until a restart.
    const { stdout } = await run(process.execPath, [path.join(__dirname, 'offline-timeout-probe.mjs')], {
      timeout: 30_000,
    });
    const { slow, next } = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, unknown>>;
    expect(slow).toMatchObject({ ok: false, error: '[504] - Lambda timeout.' });
    expect(next).toMatchObject({ ok: true, result: 'answered' });
  }, 40_000);
});
