/**
 * Runs a function through serverless-offline's own LambdaFunction (the worker-thread runner every local service
 * uses): one invocation that outlasts the function's timeout, then one that answers at once. Prints what each did as
 * one JSON line. Unpatched serverless-offline 13 terminates the worker on the timeout and then posts every later
 * invocation of that instance to the dead worker (dherault/serverless-offline#1896): the second one 504s too.
 * Run by offline-timeout.test.ts; serverless-offline is published as ES modules only, hence a child process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// Not an exported path: addressed by file, as its version is pinned and patched (patches/serverless-offline+*.patch).
import LambdaFunction from '../../node_modules/serverless-offline/src/lambda/LambdaFunction.js';

const servicePath = mkdtempSync(path.join(tmpdir(), 'offline-timeout-'));
writeFileSync(
  path.join(servicePath, 'handler.js'),
  'exports.handler = async (event) => (event.slow ? new Promise((resolve) => setTimeout(resolve, 60_000)) : "answered");\n',
);
const serverless = {
  config: { serverlessPath: servicePath, servicePath },
  service: { service: 'probe', provider: { name: 'aws', region: 'eu-west-1', runtime: 'nodejs22.x' } },
};
const TIMEOUT_SECONDS = 1;
const fn = new LambdaFunction(
  'probe',
  { handler: 'handler.handler', name: 'probe', timeout: TIMEOUT_SECONDS },
  serverless,
  {},
);

async function invoke(event) {
  const started = performance.now();
  fn.setEvent(event);
  try {
    const result = await fn.runHandler();
    return { ok: true, result, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: String(error?.message ?? error), ms: Math.round(performance.now() - started) };
  }
}

try {
  const slow = await invoke({ slow: true });
  const next = await invoke({ slow: false });
  console.log(JSON.stringify({ slow, next }));
} finally {
  await fn.cleanup();
  rmSync(servicePath, { recursive: true, force: true });
}
