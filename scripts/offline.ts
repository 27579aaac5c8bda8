/**
 * Runs services in serverless-offline against the local cloud (which must be up and provisioned), with what
 * each service brings locally (stand-ins, containers).
 *   npm run offline [-- service ...]     all services by default; Ctrl-C stops them.
 */
import { readCommandLine } from '@backbone/shared/local';
import { applyLocalEnvironment } from './local-cloud/environment';
import { startServices } from './local-cloud/offline';
import { discoverServices, serverlessServices, startLocalProcesses } from './local-cloud/services';

async function main(): Promise<void> {
  applyLocalEnvironment();
  const { positionals: requested } = readCommandLine(
    ['offline', ...process.argv.slice(2)],
    {},
    'usage: npm run offline [-- service ...]',
  );
  const all = discoverServices();
  const unknown = requested.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(`no such service: ${unknown.join(', ')}; services: ${all.map((s) => s.name).join(', ')}`);
  const chosen = requested.length > 0 ? all.filter((s) => requested.includes(s.name)) : all;
  const processes = await startLocalProcesses(chosen);
  const fleet = await startServices(
    serverlessServices(chosen).map((s) => s.name),
    { output: 'inherit' },
  );
  for (const s of fleet.services) console.log(`${s.name}: http://127.0.0.1:${s.httpPort} (Lambda API ${s.lambdaPort})`);
  for (const p of processes) console.log(`${p.name}: ${p.url ?? '(running)'}`);
  const shutdown = (): void => {
    console.log('stopping services ...');
    void Promise.all([fleet.stop(), ...processes.map((p) => p.stop())]).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`offline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
