/**
 * `npm test` after scripts/bootstrap.sh: every test. The checks that need no cloud (lint, formatting, types, unit and
 * build tests: CPU) run beside the local cloud's start and the integration tests (mostly waiting: downloads, a fresh
 * Cassandra's first start, queues, timeouts), which on two cores takes about as long as the integration tests alone.
 * Exits non-zero, saying which part failed, when any does; the checks' output is shown after the integration tests'.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { up } from './cloud';
import { ensurePythonVenv } from './local-cloud/prerequisites';
import { CLOUD_DIR } from './local-cloud/layout';
import { discoverServices, handOverResolvedServices, resolveService, serverlessServices } from './local-cloud/services';
import { provision } from './provision';

const ROOT = path.resolve(__dirname, '..');

/** Runs a command in the project; its output shown as it comes, or kept to be shown later (`quiet`). */
function run(
  command: string,
  args: string[],
  quiet = false,
  env: Record<string, string> = {},
): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ status: 1, output: `${output}${error.message}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

async function main(): Promise<number> {
  // Both the local cloud (moto) and the build checks (cfn-lint, hadolint) make virtualenvs: a Debian package either
  // would install goes in first, as apt-get takes one install at a time.
  ensurePythonVenv();
  const began = Date.now();
  const seconds = () => Math.round((Date.now() - began) / 1000);
  // The checks (CPU: lint, types, unit and build tests) run beside the cloud's start and the integration tests
  // (mostly waiting: downloads, a JVM's start, queues, timeouts); their output is kept and shown after.
  console.log('running the checks in the background (their output follows the integration tests) ...');
  const check = run('npm', ['run', 'check'], true).then((outcome) => {
    console.log(`\nnpm test: the checks ${outcome.status === 0 ? 'passed' : 'FAILED'} (${seconds()} s)\n`);
    return outcome;
  });
  const outcome = await integration(seconds);
  const checked = await check;
  console.log(`\n---- npm run check ----\n${checked.output.trimEnd()}\n---- end of npm run check ----`);
  if (checked.status !== 0)
    console.error(`npm test: the checks failed (npm run check exited ${checked.status}); see above.`);
  if (outcome !== 0)
    console.error('npm test: the integration tests failed, or the local cloud did not start; see above.');
  console.log(`npm test: ${checked.status === 0 && outcome === 0 ? 'every test passed' : 'FAILED'} in ${seconds()} s`);
  return checked.status !== 0 ? checked.status : outcome;
}

/**
 * The local cloud up, the stage provisioned, the integration tests: the first failure's status, or 0. The services'
 * "serverless print" (seconds of CPU each, needing no cloud) runs while the cloud starts, so provisioning finds them
 * resolved.
 */
async function integration(seconds: () => number): Promise<number> {
  const resolving = Promise.all(
    serverlessServices(discoverServices()).map((service) => resolveService(service.name, 'local')),
  );
  resolving.catch(() => undefined); // provision() says what failed, when it asks again
  try {
    await up();
    console.log(`the local cloud is up (${seconds()} s)`);
    await resolving.catch(() => undefined);
    await provision('local');
  } catch (error) {
    console.error(`npm test: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // The integration tests' set-up starts the services in serverless-offline: it gets them resolved already.
  const handOver = await handOverResolvedServices(path.join(CLOUD_DIR, 'resolved-services'));
  return (await run('npm', ['run', 'test:integration'], false, handOver)).status;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`npm test: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
