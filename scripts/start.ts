/**
 * npm start: the whole system, locally, with demo traffic.
 * Brings up the local cloud, provisions every service's resources, starts every
 * service in serverless-offline, sends the demo traffic and reports what happened.
 * Ctrl-C stops the services and whatever part of the local cloud this run started.
 */
import { down, printTable, up } from './cloud';
import { demoMarketing } from './demo/marketing';
import { demoRules } from './demo/rules';
import { applyLocalEnvironment } from './local-cloud/environment';
import { LOG_DIR, PORTS } from './local-cloud/layout';
import { startServices, type OfflineFleet } from './local-cloud/offline';
import { serviceNames } from './local-cloud/services';
import { provision } from './provision';
import { startMarketingSandbox, type MarketingSandbox } from './sandbox/marketing-sandbox';

let fleet: OfflineFleet | undefined;
let sandbox: MarketingSandbox | undefined;
let startedComponents: string[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping services ...');
    await fleet?.stop();
    await sandbox?.close();
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

  console.log('1/4 local cloud');
  startedComponents = await up();

  console.log('\n2/4 resources from each serverless.yml');
  await provision('local');

  console.log('\n3/4 services in serverless-offline, and the marketing-platform sandbox');
  sandbox = await startMarketingSandbox();
  fleet = await startServices(serviceNames(), { output: 'file' });
  printTable(
    fleet.services.map((s) => ({
      service: s.name,
      'lambda api': s.hasFunctions ? `http://127.0.0.1:${s.lambdaPort}` : '-',
      log: `${LOG_DIR}/offline-${s.name}.log`,
    })),
  );

  console.log('\n4/4 demo traffic');
  console.log('rules:');
  for (const line of await demoRules()) console.log(`  ${line}`);
  console.log('marketing events:');
  for (const line of await demoMarketing(sandbox.url)) console.log(`  ${line}`);

  console.log(`
Running. Where to look:
  AWS endpoint                      http://127.0.0.1:${PORTS.gateway} (SQS, DynamoDB, S3, Secrets Manager, SSM)
                                    e.g. aws --endpoint-url http://127.0.0.1:${PORTS.gateway} sqs list-queues
  Cassandra (CQL)                   127.0.0.1:${PORTS.cassandra}
  PostgreSQL                        postgresql://backbone@127.0.0.1:${PORTS.postgres}/backbone
  rules (validate, publish, ...)    npm run rules -- validate | publish
  service logs                      ${LOG_DIR}/offline-<service>.log
  marketing sandbox                 ${sandbox.url}/_sandbox/received (what Meta, GA4 and the webhook got)
  local cloud                       npm run cloud:status | npm run cloud:logs
Ctrl-C stops everything this run started.`);
}

main().catch(async (error: unknown) => {
  console.error(`\nstart: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
