/**
 * Runs services in serverless-offline against the local cloud (which must be up and provisioned).
 *   npm run offline [-- service ...]     all services by default; Ctrl-C stops them.
 */
import { applyLocalEnvironment } from './local-cloud/environment';
import { startServices } from './local-cloud/offline';
import { serviceNames } from './local-cloud/services';

async function main(): Promise<void> {
  applyLocalEnvironment();
  const requested = process.argv.slice(2);
  const fleet = await startServices(requested.length > 0 ? requested : serviceNames(), { output: 'inherit' });
  for (const s of fleet.services) console.log(`${s.name}: http://127.0.0.1:${s.httpPort} (Lambda API ${s.lambdaPort})`);
  const shutdown = (): void => {
    console.log('stopping services ...');
    void fleet.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(`offline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
