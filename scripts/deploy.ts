/**
 * From a laptop (or the pipeline) to an AWS account:
 *   npm run deploy -- --stage <stage> [--service <name>] [--preflight]
 *       the preflight (every parameter, secret and image the stage lacks, all at once, with how to provide each),
 *       then all five services with serverless-compose (in dependency order, outputs passed on), or one with
 *       serverless deploy; --preflight stops after it. prod's stacks get termination protection. Then the
 *       deployed services' store migrations (npm run migrate), unless --skip-migrations.
 *   npm run deploy:bootstrap -- --stage <stage>
 *       writes the stage's SSM parameters from deploy/stages/<stage>.yml and its secure ones from the environment
 *       (BOOTSTRAP_SECRET_<NAME>) or generated, then says what is still missing.
 * Credentials from the environment, as the AWS CLI takes them; the stage file names the region (and the account).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CloudFormationClient, UpdateTerminationProtectionCommand } from '@aws-sdk/client-cloudformation';
import { ECRClient, ListImagesCommand, RepositoryNotFoundException } from '@aws-sdk/client-ecr';
import { GetParametersCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClientSettings, awsEnvironmentSchema, createSsmClient, loadConfig } from '@backbone/shared';
import { printTable, readCommandLine, runTool } from '@backbone/shared/local';
import { MIGRATION_FUNCTIONS, migrateStage } from './deploy/migrate';
import { bootstrap, preflight, secretVariable, type DeployPorts, type Finding } from './deploy/preflight';
import { readStageFile } from './deploy/stage-file';
import { discoverServices, serverlessServices } from './local-cloud/services';

const ROOT = path.resolve(__dirname, '..');
const USAGE =
  'usage: npm run deploy -- --stage <stage> [--service <name>] [--preflight] [--skip-migrations]\n' +
  '       npm run deploy:bootstrap -- --stage <stage>';

/** SSM and ECR as the preflight and bootstrap see them (the shared factories' clients: local endpoints in tests). */
export function awsDeployPorts(env: Record<string, string | undefined> = process.env): DeployPorts & { close(): void } {
  const settings = awsClientSettings(loadConfig(awsEnvironmentSchema, env, 'deploy'));
  const ssm = createSsmClient(settings);
  // ECR has no factory in @backbone/shared (only deploys use it): the same endpoint rule, by hand.
  const ecr = new ECRClient({ region: settings.region, endpoint: env['AWS_ENDPOINT_URL'] });
  return {
    async existingParameters(names) {
      const found = new Set<string>();
      for (let i = 0; i < names.length; i += 10) {
        const { Parameters } = await ssm.send(new GetParametersCommand({ Names: names.slice(i, i + 10) }));
        for (const p of Parameters ?? []) if (p.Name) found.add(p.Name);
      }
      return found;
    },
    async imageTags(repository) {
      try {
        const tags = new Set<string>();
        let nextToken: string | undefined;
        do {
          const page = await ecr.send(new ListImagesCommand({ repositoryName: repository, nextToken }));
          for (const image of page.imageIds ?? []) if (image.imageTag) tags.add(image.imageTag);
          nextToken = page.nextToken;
        } while (nextToken);
        return tags;
      } catch (error) {
        if (error instanceof RepositoryNotFoundException) return undefined;
        throw error;
      }
    },
    async putParameter(name, value, secure) {
      await ssm.send(
        new PutParameterCommand({
          Name: name,
          Value: value,
          Type: secure ? 'SecureString' : 'String',
          Overwrite: true,
        }),
      );
    },
    close() {
      ssm.destroy();
      ecr.destroy();
    },
  };
}

const showFindings = (findings: readonly Finding[]): void =>
  printTable(
    findings.map((f) => ({
      status: f.status === 'missing' ? 'MISSING' : f.status,
      kind: f.requirement.kind,
      where: f.where,
      for: f.requirement.services.join(', '),
      'how to provide it': f.status === 'missing' ? f.requirement.how : '',
    })),
  );

async function main(): Promise<number> {
  const [command, ...argv] = process.argv.slice(2);
  const { values } = readCommandLine(
    ['deploy', ...argv],
    {
      stage: { type: 'string' },
      service: { type: 'string' },
      preflight: { type: 'boolean' },
      'skip-migrations': { type: 'boolean' },
    },
    USAGE,
  );
  if (!values.stage) throw new Error(`--stage is required\n${USAGE}`);
  const stage = values.stage;
  const stageFile = readStageFile(stage);
  const env = { ...process.env, AWS_REGION: stageFile.region };
  if (stageFile.account) {
    const sts = new STSClient({ region: stageFile.region });
    const { Account } = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    if (Account !== stageFile.account)
      throw new Error(`the credentials are account ${Account}; stage ${stage} lives in ${stageFile.account}`);
  }
  const all = serverlessServices(discoverServices()).map((s) => s.name);
  if (values.service && !all.includes(values.service))
    throw new Error(`no service "${values.service}"; the services: ${all.join(', ')}`);
  const services = values.service ? [values.service] : all;
  const ports = awsDeployPorts(env);
  try {
    if (command === 'bootstrap') {
      const actions = await bootstrap(stage, stageFile, ports, env);
      printTable(actions.map((a) => ({ parameter: a.where, done: a.action })));
      const notGiven = actions.filter((a) => a.action === 'not given');
      if (notGiven.length > 0)
        console.error(
          `not given: ${notGiven.map((a) => a.where).join(', ')}; set ${notGiven.map((a) => secretVariable(a.where.split('/').slice(3).join('/'))).join(', ')} and run it again`,
        );
    }
    const findings = await preflight(stage, stageFile, services, ports);
    showFindings(findings);
    const missing = findings.filter((f) => f.status === 'missing');
    if (missing.length > 0) {
      console.error(`stage ${stage} lacks ${missing.length}: ${missing.map((f) => f.where).join(', ')}`);
      return 1;
    }
    console.error(
      `stage ${stage}: everything its ${services.length === 1 ? 'service needs' : 'services need'} is there`,
    );
    if (command === 'bootstrap' || values.preflight) return 0;
  } finally {
    ports.close();
  }

  const deploy = values.service
    ? spawnSync('npx', ['serverless', 'deploy', '--stage', stage, '--region', stageFile.region], {
        cwd: path.join(ROOT, 'services', values.service),
        stdio: 'inherit',
        env,
      })
    : // osls compose takes no --region: each service's serverless.yml defaults it (eu-west-1); a stage elsewhere
      // deploys one service at a time with --service, or sets the region there.
      spawnSync('npx', ['osls-compose', 'deploy', '--stage', stage], {
        cwd: ROOT,
        stdio: 'inherit',
        env,
      });
  if (deploy.status !== 0) return deploy.status ?? 1;
  if (stageFile.protect) {
    const cloudFormation = new CloudFormationClient({ region: stageFile.region });
    for (const service of services)
      await cloudFormation.send(
        new UpdateTerminationProtectionCommand({ StackName: `${service}-${stage}`, EnableTerminationProtection: true }),
      );
    cloudFormation.destroy();
    console.error(`termination protection on: ${services.map((s) => `${s}-${stage}`).join(', ')}`);
  }
  const owners = services.filter((service) => service in MIGRATION_FUNCTIONS);
  if (values['skip-migrations'] || owners.length === 0) return 0;
  // The new code is live; the stores catch up (additive migrations: scripts/deploy/migrate.ts).
  const failed = (await migrateStage(stage, owners)).filter((outcome) => outcome.error);
  for (const outcome of failed) console.error(`${outcome.service}: migration failed: ${outcome.error}`);
  if (failed.length === 0) console.error(`migrations: ${owners.join(', ')} up to date`);
  return failed.length > 0 ? 1 : 0;
}

if (require.main === module) runTool('deploy', main);
