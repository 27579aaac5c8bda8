/**
 * npm start: the whole system, locally, with demo traffic.
 * Brings up the local cloud, provisions every service's resources and migrations, seeds demo data, starts what
 * each service brings (stand-ins, containers) and its functions in serverless-offline, then runs each service's
 * demo and reports what happened. Ctrl-C stops everything this run started.
 * Every service is found through its public face (services/<name>/local): nothing here names one.
 */
import type { LocalProcess } from '@backbone/shared/local';
import { printTable } from '@backbone/shared/local';
import { down, up } from './cloud';
import { applyLocalEnvironment } from './local-cloud/environment';
import { LOG_DIR, PORTS } from './local-cloud/layout';
import { startServices, type OfflineFleet } from './local-cloud/offline';
import {
  demoOrder,
  discoverServices,
  localContext,
  serverlessServices,
  startLocalProcesses,
} from './local-cloud/services';
import { provision } from './provision';

let fleet: OfflineFleet | undefined;
const processes: LocalProcess[] = [];
let startedComponents: string[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping services ...');
    await fleet?.stop();
    await Promise.all(processes.map((p) => p.stop()));
    if (startedComponents.length > 0) {
      console.log(`stopping the local cloud components this run started (${startedComponents.join(', ')}) ...`);
      await down(startedComponents);
    }
  }
  process.exit(code);
}

async function main(): Promise<void> {
  applyLocalEnvironment();
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  const services = discoverServices();

  console.log('1/4 local cloud');
  startedComponents = await up();

  console.log('\n2/4 resources from each serverless.yml, migrations and seed data');
  await provision('local', services);
  for (const service of services) {
    if (!service.face.seed) continue;
    for (const line of await service.face.seed(localContext(service))) console.log(`${service.name}: ${line}`);
  }

  console.log('\n3/4 services: what each brings locally, and its functions in serverless-offline');
  processes.push(...(await startLocalProcesses(services)));
  fleet = await startServices(
    serverlessServices(services).map((s) => s.name),
    { output: 'file' },
  );
  printTable([
    ...fleet.services.map((s) => ({
      service: s.name,
      where: s.hasFunctions ? `http://127.0.0.1:${s.httpPort} (Lambda API ${s.lambdaPort})` : '(no functions yet)',
      log: `${LOG_DIR}/offline-${s.name}.log`,
    })),
    ...processes.map((p) => ({ service: p.name, where: p.url ?? '-', log: '-' })),
  ]);

  console.log('\n4/4 demo traffic');
  for (const service of demoOrder(services)) {
    if (!service.face.demo) continue;
    console.log(`${service.name}:`);
    for (const line of await service.face.demo(localContext(service))) console.log(`  ${line}`);
  }

  console.log(`
Running. Where to look:
  AWS endpoint                      http://127.0.0.1:${PORTS.gateway} (SQS, DynamoDB, S3, Secrets Manager, SSM)
                                    e.g. aws --endpoint-url http://127.0.0.1:${PORTS.gateway} sqs list-queues
  Cassandra (CQL)                   127.0.0.1:${PORTS.cassandra}
  PostgreSQL                        postgresql://backbone@127.0.0.1:${PORTS.postgres}/backbone
  rules (validate, publish, ...)    npm run rules -- validate | publish
  service logs                      ${LOG_DIR}/offline-<service>.log
  local cloud                       npm run cloud:status | npm run cloud:logs
${processes.map((p) => `  ${p.name.padEnd(34)} ${p.url ?? ''}`).join('\n')}
Ctrl-C stops everything this run started.`);
}

main().catch(async (error: unknown) => {
  console.error(`\nstart: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
