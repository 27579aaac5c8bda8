/**
 * npm run migrate -- --stage <stage> [--service <name>]
 *
 * Applies every store's migrations in a stage by invoking each owning service's migration function (the Aurora
 * schemas, the customer store, the Cassandra device tables): those functions run inside the stores' networks, which
 * a laptop or the pipeline cannot reach. `npm run deploy` runs it after the stacks. The stage `local` invokes the
 * same functions in serverless-offline (its Lambda API on each service's lambdaPort), so the command is tested as it
 * runs in AWS. Prints one row per store and exits non-zero when any migration fails.
 *
 * Migrations are additive (expand, then contract in a later release): the code of the release before keeps working
 * while they run after the new stacks.
 */
import { STSClient } from '@aws-sdk/client-sts';
import type { MigrationReport } from '@backbone/shared';
import { createSignedFetch, type SigV4Credentials } from '@backbone/shared';
import { printTable, readCommandLine, runTool } from '@backbone/shared/local';
import { applyLocalEnvironment, LOCAL_STAGE } from '../local-cloud/environment';
import { resolveService } from '../local-cloud/services';
import { readStageFile } from './stage-file';

/** Each service that owns a store, and its migration function (a unit test checks each serverless.yml has it). */
export const MIGRATION_FUNCTIONS: Readonly<Record<string, string>> = {
  'device-ownership': 'migrateDeviceTables',
  'rules-ingestion': 'migrateDatabase',
  'snoop-scheduler': 'migrateCustomerStore',
};

export interface MigrationOutcome {
  service: string;
  report?: MigrationReport;
  error?: string;
}

/** Invokes one migration function through Lambda's Invoke API (AWS's, or serverless-offline's), and reads its answer. */
export async function invokeMigration(
  options: { endpoint: string; functionName: string; region: string; credentials: SigV4Credentials },
  service: string,
): Promise<MigrationOutcome> {
  const signed = createSignedFetch({ credentials: options.credentials, region: options.region, service: 'lambda' });
  try {
    const response = await signed(
      `${options.endpoint}/2015-03-31/functions/${encodeURIComponent(options.functionName)}/invocations`,
      { method: 'POST', body: '{}' },
    );
    const text = await response.text();
    if (!response.ok) return { service, error: `Lambda answered ${response.status}: ${text.slice(0, 300)}` };
    const answer = JSON.parse(text) as MigrationReport & { errorMessage?: string; errorType?: string };
    // A function that threw answers 200 with its error (and an X-Amz-Function-Error header).
    if (response.headers.get('x-amz-function-error') || answer.errorMessage)
      return { service, error: `${answer.errorType ?? 'Error'}: ${answer.errorMessage ?? text.slice(0, 300)}` };
    return { service, report: answer };
  } catch (error) {
    return { service, error: `${options.functionName} could not be invoked: ${(error as Error).message}` };
  }
}

/** Where a stage's Lambda API is for a service: AWS's regional endpoint, or its serverless-offline's locally. */
async function lambdaEndpoint(stage: string, region: string, service: string): Promise<string> {
  if (stage !== LOCAL_STAGE) return `https://lambda.${region}.amazonaws.com`;
  const resolved = await resolveService(service, LOCAL_STAGE);
  const port = (resolved.custom['serverless-offline'] as { lambdaPort?: number } | undefined)?.lambdaPort;
  if (!port) throw new Error(`services/${service}/serverless.yml sets no custom.serverless-offline.lambdaPort`);
  return `http://127.0.0.1:${port}`;
}

/** The credentials the AWS CLI would use (environment, profile, SSO, the pipeline's role), as the SDK finds them. */
async function callerCredentials(region: string): Promise<SigV4Credentials> {
  const sts = new STSClient({ region });
  try {
    return await sts.config.credentials();
  } finally {
    sts.destroy();
  }
}

export async function migrateStage(
  stage: string,
  services: readonly string[],
  log: (line: string) => void = console.error,
): Promise<MigrationOutcome[]> {
  const region = stage === LOCAL_STAGE ? (process.env.AWS_REGION ?? 'eu-west-1') : readStageFile(stage).region;
  const credentials = await callerCredentials(region);
  const outcomes: MigrationOutcome[] = [];
  for (const [index, service] of services.entries()) {
    const functionName = `${service}-${stage}-${MIGRATION_FUNCTIONS[service]}`;
    log(`[${index + 1}/${services.length}] ${functionName} ...`);
    const endpoint = await lambdaEndpoint(stage, region, service);
    outcomes.push(await invokeMigration({ endpoint, functionName, region, credentials }, service));
  }
  return outcomes;
}

async function main(): Promise<number> {
  const usage = 'usage: npm run migrate -- --stage <stage> [--service <name>]';
  const { values } = readCommandLine(
    ['migrate', ...process.argv.slice(2)],
    { stage: { type: 'string' }, service: { type: 'string' } },
    usage,
  );
  if (!values.stage) throw new Error(`--stage is required\n${usage}`);
  if (values.stage === LOCAL_STAGE) applyLocalEnvironment();
  const owners = Object.keys(MIGRATION_FUNCTIONS);
  if (values.service && !owners.includes(values.service))
    throw new Error(`"${values.service}" owns no store to migrate; the services that do: ${owners.join(', ')}`);
  const outcomes = await migrateStage(values.stage, values.service ? [values.service] : owners);
  printTable(
    outcomes.map((outcome) => ({
      service: outcome.service,
      store: outcome.report?.store ?? '',
      migrations: outcome.report ? String(outcome.report.known) : '',
      'applied now': outcome.report ? outcome.report.applied.join(', ') || 'none (up to date)' : '',
      outcome: outcome.error ? `FAILED: ${outcome.error}` : 'ok',
    })),
  );
  const failed = outcomes.filter((outcome) => outcome.error);
  if (failed.length > 0) {
    console.error(`migrations failed for ${failed.map((outcome) => outcome.service).join(', ')}: see above`);
    return 1;
  }
  return 0;
}

if (require.main === module) runTool('migrate', main);
