/**
 * Two clones on one machine: the second one's "cloud up" (its own .local-cloud, under a private 0700 folder, as
 * a clone in /root is) stops before it installs or starts anything, names every port the first one holds and whose
 * local cloud holds it, and leaves the first one running. That the whole local cloud starts from a clone under a
 * private folder is proven by every CI run, which runs "npm test" from one (.ci/run).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { COMPONENTS } from '../local-cloud/components';
import { REPO_ROOT } from '../local-cloud/layout';

function cloudUp(env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'cloud.ts'), 'up'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (status) => resolve({ status, output }));
  });
}

describe('a second checkout on the same machine', () => {
  const privateParent = mkdtempSync(path.join(os.tmpdir(), 'second-clone-'));
  const secondCloud = path.join(privateParent, 'lending-backbone', '.local-cloud');
  afterAll(() => rmSync(privateParent, { recursive: true, force: true }));

  it('says which ports are taken and by whose local cloud, starts nothing, and leaves the first one running', async () => {
    expect(statSync(privateParent).mode & 0o777).toBe(0o700);
    const { status, output } = await cloudUp({ LOCAL_CLOUD_DIR: secondCloud });

    expect(status).toBe(1);
    expect(output).toContain(`${COMPONENTS.length} port(s) the local cloud needs are taken`);
    for (const component of COMPONENTS) {
      const line = output.split('\n').find((l) => new RegExp(`^\\s+${component.port}\\s+${component.name}\\s`).test(l));
      expect({ component: component.name, line }).toEqual({
        component: component.name,
        line: expect.stringContaining(`part of the local cloud of ${REPO_ROOT}`),
      });
    }
    expect(output).toContain('npm run cloud:down');
    // Nothing installed or started for the second checkout: no data of its own was made.
    expect(existsSync(path.join(secondCloud, 'run'))).toBe(false);
    expect(existsSync(path.join(secondCloud, 'cassandra'))).toBe(false);
    for (const component of COMPONENTS) await expect(component.probe()).resolves.toBeUndefined();
  });
});
