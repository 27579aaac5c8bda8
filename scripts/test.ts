/**
 * `npm test` after scripts/bootstrap.sh: every test. The local cloud starts (installing what it lacks: downloads, a
 * virtualenv, a fresh Cassandra's first start, mostly waiting) while the checks that need no cloud run (lint,
 * formatting, types, unit and build tests); once both are done, the stage is provisioned and the integration tests
 * run against it. Exits non-zero, saying which step failed, when any does.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensurePythonVenv } from './local-cloud/prerequisites';

const ROOT = path.resolve(__dirname, '..');

/** Runs a command in the project; its output shown as it comes, or kept to be shown later (`quiet`). */
function run(command: string, args: string[], quiet = false): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ status: 1, output: `${output}${error.message}\n` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

const tsx = (script: string, ...args: string[]): [string, string[]] => [
  process.execPath,
  [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script, ...args],
];

async function main(): Promise<number> {
  // Both the local cloud (moto) and the build checks (cfn-lint, hadolint) make virtualenvs: a Debian package either
  // would install goes in first, as apt-get takes one install at a time.
  ensurePythonVenv();
  console.log('starting the local cloud while the checks run (its log follows them) ...');
  const began = Date.now();
  const cloud = run(...tsx('scripts/cloud.ts', 'up'), true);
  const check = await run('npm', ['run', 'check']);
  const started = await cloud;
  console.log(`\n${started.output.trimEnd()}`);
  if (check.status !== 0) {
    console.error(`npm test: the checks failed (npm run check exited ${check.status}); see above.`);
    return check.status;
  }
  if (started.status !== 0) {
    console.error(`npm test: the local cloud did not start (exit ${started.status}); see its log above.`);
    return started.status;
  }
  console.log(`checks passed and the local cloud is up in ${Math.round((Date.now() - began) / 1000)} s`);
  const provisioned = await run(...tsx('scripts/provision.ts'));
  if (provisioned.status !== 0) {
    console.error(`npm test: provisioning the local stage failed (exit ${provisioned.status}); see above.`);
    return provisioned.status;
  }
  const integration = await run('npm', ['run', 'test:integration']);
  if (integration.status !== 0) console.error('npm test: the integration tests failed; see above.');
  return integration.status;
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`npm test: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
