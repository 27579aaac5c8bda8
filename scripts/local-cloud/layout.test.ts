import path from 'node:path';
import { CLOUD_DIR, checkoutFolderName, REPO_ROOT, SERVICE_USER_DIR, SYSTEM_STATE_ROOT } from './layout';

describe('where the local cloud keeps the files of components that run as another user', () => {
  it('as root, outside the clone, in a folder of this checkout under the system state directory', () => {
    // This suite runs as root on CI and on the developers' machines, as PostgreSQL then runs as "postgres".
    if (process.getuid?.() !== 0) {
      expect(SERVICE_USER_DIR).toBe(CLOUD_DIR);
      return;
    }
    expect(SERVICE_USER_DIR).toBe(path.join(SYSTEM_STATE_ROOT, checkoutFolderName()));
    expect(path.relative(REPO_ROOT, SERVICE_USER_DIR).startsWith('..')).toBe(true);
  });

  it('names the folder after the checkout, so two clones never share one', () => {
    const first = checkoutFolderName('/root/lending-backbone/.local-cloud');
    const second = checkoutFolderName('/home/ana/work/lending-backbone/.local-cloud');
    expect(first).toMatch(/^lending-backbone-[0-9a-f]{10}$/);
    expect(second).toMatch(/^lending-backbone-[0-9a-f]{10}$/);
    expect(first).not.toBe(second);
    expect(checkoutFolderName('/root/lending-backbone/.local-cloud/')).toBe(first);
    expect(checkoutFolderName('/tmp/a b;$(x)/.local-cloud')).toMatch(/^a_b___x_-[0-9a-f]{10}$/);
  });
});
