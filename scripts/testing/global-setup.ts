/**
 * Before the integration tests: the local cloud must be up and provisioned
 * (npm test does both), then the services that have functions are started in
 * serverless-offline, exactly as "npm start" runs them, with the marketing-platform sandbox.
 */
import { COMPONENTS } from '../local-cloud/components';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { startServices, type OfflineFleet } from '../local-cloud/offline';
import { resolveService, serviceNames } from '../local-cloud/services';
import { startMarketingSandbox, type MarketingSandbox } from '../sandbox/marketing-sandbox';

declare global {
  var offlineFleet: OfflineFleet | undefined;
  var marketingSandbox: MarketingSandbox | undefined;
}

export default async function globalSetup(): Promise<void> {
  applyLocalEnvironment();
  const problems: string[] = [];
  await Promise.all(
    COMPONENTS.map(async (component) => {
      try {
        await component.probe();
      } catch (error) {
        problems.push(
          `${component.name} (port ${component.port}): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
  );
  if (problems.length > 0) {
    throw new Error(
      `the local cloud is not ready:\n  ${problems.join('\n  ')}\n` +
        `Run "npm run cloud:up && npm run provision" (or simply "npm test", which does both).`,
    );
  }
  const withFunctions: string[] = [];
  for (const name of serviceNames()) {
    const resolved = await resolveService(name, 'local');
    if (Object.keys(resolved.functions).length > 0) withFunctions.push(name);
  }
  console.log(
    `\nstarting ${withFunctions.join(', ')} in serverless-offline (logs in .local-cloud/logs/offline-*.log) ...`,
  );
  // marketing-events delivers to the local stand-ins for Meta, GA4 and the webhook.
  globalThis.marketingSandbox = await startMarketingSandbox();
  globalThis.offlineFleet = await startServices(withFunctions, { output: 'file' });
}
