/**
 * Before the integration tests: the local cloud must be up and provisioned (npm test does both), then what
 * every service brings locally (stand-ins, containers) and its functions in serverless-offline are started,
 * exactly as "npm start" runs them.
 */
import { rmSync } from 'node:fs';
import type { LocalProcess } from '@backbone/shared/local';
import { COMPONENTS } from '../local-cloud/components';
import { applyLocalEnvironment } from '../local-cloud/environment';
import { IAM_CALLS_FILE } from '../local-cloud/iam-calls';
import { startServices, type OfflineFleet } from '../local-cloud/offline';
import { discoverServices, resolveService, serverlessServices, startLocalProcesses } from '../local-cloud/services';

declare global {
  var offlineFleet: OfflineFleet | undefined;
  var localProcesses: LocalProcess[] | undefined;
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
  // A new record of the functions' AWS calls: the IAM check (iam-policies.int.test.ts, last) reads this run's.
  rmSync(IAM_CALLS_FILE, { force: true });
  const services = discoverServices();
  const withFunctions: string[] = [];
  for (const service of serverlessServices(services)) {
    const resolved = await resolveService(service.name, 'local');
    if (Object.keys(resolved.functions).length > 0) withFunctions.push(service.name);
  }
  globalThis.localProcesses = await startLocalProcesses(services);
  console.log(
    `\nstarting ${withFunctions.join(', ')} in serverless-offline (logs in .local-cloud/logs/offline-*.log) ...`,
  );
  globalThis.offlineFleet = await startServices(withFunctions, { output: 'file' });
}
