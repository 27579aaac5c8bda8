/**
 * npm run deploy:rehearse — the real deploy, rehearsed without AWS: a second moto server (its CloudFormation engine
 * creates functions without running them, and IAM, API Gateway, ECS, ELBv2, EventBridge, SSM, SQS, DynamoDB, S3)
 * on 127.0.0.1:4580, the stage "rehearsal" (deploy/stages/rehearsal.yml) bootstrapped into it with the VPC,
 * subnets and security group moto has, the engine's image pushed to its ECR, the preflight passed, then the five
 * services deployed with serverless-compose through serverless-localstack, checked (every stack complete, every
 * resource of every template there), deployed again (an update with no change must succeed), and removed. Resource
 * types moto's CloudFormation does not implement are stood in for (scripts/serverless/rehearsal.cjs) and listed by
 * name, each with why a rehearsal without it still says something. Last line: one JSON object.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { printTable } from '@backbone/shared/local';
import { installPythonVenv } from '../local-cloud/components/install';
import { CLOUD_DIR } from '../local-cloud/layout';
import { awsDeployPorts } from '../deploy';
import { discoverServices, serverlessServices } from '../local-cloud/services';
import { bootstrap, preflight } from './preflight';
import { readStageFile } from './stage-file';

const ROOT = path.resolve(__dirname, '..', '..');
const STAGE = 'rehearsal';
const PORT = 4580;
const ENDPOINT = `http://127.0.0.1:${PORT}`;

/** Why a rehearsal without each type moto lacks still means something, and where that type is checked instead. */
export const WHY_SAFE: Record<string, string> = {
  'AWS::CloudWatch::Alarm': 'made from the template by alarms.cjs; the packaging test checks every one (and cfn-lint)',
  'AWS::Cognito::UserPool':
    'the staff pool: its template is linted by cfn-lint; sign-in is tested against the local identity provider',
  'AWS::Cognito::UserPoolClient':
    'app clients of the staff pool: cfn-lint; their flows are tested with the local identity provider',
  'AWS::Cognito::UserPoolDomain': "the pool's hosted sign-in domain: cfn-lint",
  'AWS::Cognito::UserPoolGroup': 'the roles (groups): cfn-lint; every role is tested through the APIs locally',
  'AWS::ApiGateway::Authorizer':
    'the Cognito authoriser: cfn-lint; the packaging test checks every method is authorised',
  'AWS::RDS::DBProxy': "the engine's connection pool: cfn-lint; PgBouncer stands in for it in every test",
  'AWS::RDS::DBProxyTargetGroup': "the proxy's target: cfn-lint",
  'AWS::S3::BucketPolicy': 'TLS-only policies: the packaging test checks every bucket has one',
  'AWS::SecretsManager::Secret': "the engine's generated secret: cfn-lint; moto's Secrets Manager serves it locally",
  'AWS::ApplicationAutoScaling::ScalableTarget':
    "the engine's scaling: cfn-lint; the packaging test checks backlog scaling",
  'AWS::ApplicationAutoScaling::ScalingPolicy': "the engine's scaling policy: cfn-lint; the packaging test checks it",
  'AWS::SNS::Subscription': 'an e-mail subscription to the alarm topic: cfn-lint',
};

/** A client of the rehearsal's moto (its credentials are any). */
const motoClient = <T>(Client: new (config: object) => T): T =>
  new Client({
    region: 'eu-west-1',
    endpoint: ENDPOINT,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });

const env = (): NodeJS.ProcessEnv => ({
  ...process.env,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL: ENDPOINT,
  // serverless-localstack's endpoint (scripts: serverless.common.yml): "localhost", which moto's CloudFormation reads
  // its templates' S3 addresses by.
  LOCALSTACK_HOST_URL: 'http://localhost',
  LOCALSTACK_EDGE_PORT: String(PORT),
  REHEARSAL_SUPPORTED_TYPES: path.join(CLOUD_DIR, 'rehearsal', 'supported-types.json'),
  BOOTSTRAP_SECRET_MARKETING_META_ACCESS_TOKEN: 'rehearsal-meta-token',
  BOOTSTRAP_SECRET_MARKETING_GA4_API_SECRET: 'rehearsal-ga4-secret',
  SLS_TELEMETRY_DISABLED: '1',
  // Its own build folder: never the one a running serverless-offline of the same service executes (the tests run
  // beside it).
  SLS_ESBUILD_WORK_FOLDER: '.esbuild-rehearsal',
});

async function startMoto(): Promise<{ process: ChildProcess; supported: string[] }> {
  const bin = await installPythonVenv('moto-cfn', 'requirements-moto-cfn.txt', 'moto with CloudFormation');
  const listed = spawnSync(
    path.join(bin, 'python'),
    [
      '-c',
      'import json; from moto.cloudformation.parsing import get_model_map; print(json.dumps(sorted(get_model_map())))',
    ],
    { encoding: 'utf8' },
  );
  if (listed.status !== 0) throw new Error(`could not ask moto what it implements: ${listed.stderr}`);
  const supported = JSON.parse(listed.stdout) as string[];
  mkdirSync(path.join(CLOUD_DIR, 'rehearsal'), { recursive: true });
  writeFileSync(env()['REHEARSAL_SUPPORTED_TYPES']!, JSON.stringify(supported));
  // Its log (every request, and the tracebacks of what it could not do) beside the supported types.
  const log = openSync(path.join(CLOUD_DIR, 'rehearsal', 'moto.log'), 'w');
  const moto = spawn(path.join(bin, 'moto_server'), ['-H', '127.0.0.1', '-p', String(PORT)], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    try {
      if ((await fetch(`${ENDPOINT}/moto-api/`)).ok) return { process: moto, supported };
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  moto.kill();
  throw new Error(
    `moto did not answer on ${ENDPOINT} within 30 s (is the port taken? .local-cloud/rehearsal/moto.log)`,
  );
}

/** The VPC, two subnets and a security group moto has by default, as the stage's network. */
async function networkOf(): Promise<Record<string, string>> {
  const ec2 = motoClient(EC2Client);
  try {
    const vpc = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs![0]!.VpcId!;
    const filter = [{ Name: 'vpc-id', Values: [vpc] }];
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets!.slice(0, 2);
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter }))).SecurityGroups![0]!.GroupId!;
    const subnetIds = subnets.map((s) => s.SubnetId!).join(',');
    return {
      'network/vpc-id': vpc,
      'aurora/private-subnet-ids': subnetIds,
      'aurora/client-security-group-id': group,
      'cassandra/private-subnet-ids': subnetIds,
      'cassandra/client-security-group-id': group,
    };
  } finally {
    ec2.destroy();
  }
}

/** A certificate in moto's ACM for the engine's HTTPS listener (JSON protocol by hand: ACM has no client here). */
async function engineCertificate(domain: string): Promise<string> {
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CertificateManager.RequestCertificate',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20261207/eu-west-1/acm/aws4_request, SignedHeaders=host, Signature=rehearsal',
    },
    body: JSON.stringify({ DomainName: domain, ValidationMethod: 'DNS' }),
  });
  const answer = (await response.json()) as { CertificateArn?: string };
  if (!answer.CertificateArn) throw new Error(`moto's ACM issued no certificate: ${JSON.stringify(answer)}`);
  return answer.CertificateArn;
}

async function pushEngineImage(): Promise<void> {
  const ecr = motoClient(ECRClient);
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'snoop-rules-engine' }));
    await ecr.send(
      new PutImageCommand({
        repositoryName: 'snoop-rules-engine',
        imageTag: STAGE,
        imageManifest: JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json' }),
      }),
    );
  } finally {
    ecr.destroy();
  }
}

/** serverless-compose as a team runs it; serverless-localstack (not AWS_ENDPOINT_URL) points it at moto. */
const compose = (command: 'deploy' | 'remove'): number => {
  // With AWS_ENDPOINT_URL set, the framework's S3 addresses for its templates name 127.0.0.1, which moto's
  // CloudFormation cannot read a bucket from; serverless-localstack's "localhost" ones it can.
  const composeEnv = env();
  delete composeEnv['AWS_ENDPOINT_URL'];
  return (
    spawnSync('npx', ['osls-compose', command, '--stage', STAGE], { cwd: ROOT, stdio: 'inherit', env: composeEnv })
      .status ?? 1
  );
};

interface StackCheck {
  service: string;
  status: string;
  resources: number;
  missing: string[];
  standIns: { logicalId: string; type: string }[];
}

async function checkStacks(services: readonly string[]): Promise<StackCheck[]> {
  const cloudFormation = motoClient(CloudFormationClient);
  try {
    return await Promise.all(
      services.map(async (service) => {
        const stackName = `${service}-${STAGE}`;
        const [stack] = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
        const listed: StackResourceSummary[] = [];
        let nextToken: string | undefined;
        do {
          const page = await cloudFormation.send(
            new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }),
          );
          listed.push(...(page.StackResourceSummaries ?? []));
          nextToken = page.NextToken;
        } while (nextToken);
        const dir = path.join(ROOT, 'services', service, '.serverless');
        const template = JSON.parse(
          readFileSync(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
        ) as {
          Resources: Record<string, unknown>;
        };
        // The framework names each REST API deployment by the time it packaged it: a deploy skipped for "no changes"
        // leaves the earlier one, under its earlier name.
        const same = (id: string) => id.replace(/^ApiGatewayDeployment\d+$/, 'ApiGatewayDeployment');
        const present = new Set(listed.map((r) => same(r.LogicalResourceId ?? '')));
        return {
          service,
          status: stack?.StackStatus ?? 'MISSING',
          resources: Object.keys(template.Resources).length,
          missing: Object.keys(template.Resources).filter((id) => !present.has(same(id))),
          standIns: JSON.parse(
            readFileSync(path.join(dir, 'rehearsal-stand-ins.json'), 'utf8'),
          ) as StackCheck['standIns'],
        };
      }),
    );
  } finally {
    cloudFormation.destroy();
  }
}

async function stacksLeft(services: readonly string[]): Promise<string[]> {
  const cloudFormation = motoClient(CloudFormationClient);
  try {
    const left: string[] = [];
    for (const service of services) {
      try {
        const [stack] =
          (await cloudFormation.send(new DescribeStacksCommand({ StackName: `${service}-${STAGE}` }))).Stacks ?? [];
        if (stack && stack.StackStatus !== 'DELETE_COMPLETE') left.push(`${service}-${STAGE}`);
      } catch {
        // gone
      }
    }
    return left;
  } finally {
    cloudFormation.destroy();
  }
}

export async function rehearse(): Promise<{ ok: boolean; summary: Record<string, unknown> }> {
  const began = Date.now();
  const services = serverlessServices(discoverServices()).map((s) => s.name);
  const moto = await startMoto();
  const ok = (stacks: StackCheck[]) =>
    stacks.every((s) => ['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(s.status) && s.missing.length === 0);
  try {
    const rehearsalEnv = env();
    const file = readStageFile(STAGE);
    const certificate = await engineCertificate(file.ssm['engine/domain-name'] ?? 'engine.rehearsal.internal');
    const stageFile = {
      ...file,
      ssm: { ...file.ssm, ...(await networkOf()), 'engine/certificate-arn': certificate },
    };
    const ports = awsDeployPorts(rehearsalEnv);
    try {
      await bootstrap(STAGE, stageFile, ports, rehearsalEnv);
      await pushEngineImage();
      const missing = (await preflight(STAGE, stageFile, services, ports)).filter((f) => f.status === 'missing');
      if (missing.length > 0) throw new Error(`the preflight found missing: ${missing.map((f) => f.where).join(', ')}`);
    } finally {
      ports.close();
    }
    console.log(`rehearsal: deploying ${services.length} services with serverless-compose into ${ENDPOINT} ...`);
    if (compose('deploy') !== 0) throw new Error('the first deploy failed; see above');
    const first = await checkStacks(services);
    console.log('rehearsal: deploying again (no change) ...');
    const again = compose('deploy');
    const second = await checkStacks(services);
    console.log('rehearsal: removing everything ...');
    const removed = compose('remove');
    const left = await stacksLeft(services);
    printTable(
      first.map((s, i) => ({
        stack: `${s.service}-${STAGE}`,
        'first deploy': s.status,
        'again (no change)': second[i]!.status,
        resources: String(s.resources),
        missing:
          s.missing.length + second[i]!.missing.length === 0
            ? 'none'
            : [...new Set([...s.missing, ...second[i]!.missing])].join(', '),
        'stood in for': String(s.standIns.length),
        removed: left.includes(`${s.service}-${STAGE}`) ? 'NO' : 'yes',
      })),
    );
    const types = new Map<string, number>();
    for (const s of first)
      for (const standIn of s.standIns) types.set(standIn.type, (types.get(standIn.type) ?? 0) + 1);
    console.log("resource types moto's CloudFormation does not implement, stood in for, and why that is safe:");
    printTable(
      [...types].map(([type, count]) => ({
        type,
        resources: String(count),
        'why safe': WHY_SAFE[type] ?? 'NOT ARGUED',
      })),
    );
    const unargued = [...types.keys()].filter((type) => !WHY_SAFE[type]);
    const passed =
      ok(first) && again === 0 && ok(second) && removed === 0 && left.length === 0 && unargued.length === 0;
    return {
      ok: passed,
      summary: {
        stacks: first.length,
        resources: first.reduce((n, s) => n + s.resources, 0),
        stood_in: [...types.values()].reduce((n, c) => n + c, 0),
        unargued_types: unargued,
        update_ok: again === 0 && ok(second),
        exit_codes: { first: 0, again, remove: removed },
        removed: left.length === 0 && removed === 0,
        seconds: Math.round((Date.now() - began) / 1000),
      },
    };
  } finally {
    moto.process.kill();
  }
}

if (require.main === module)
  rehearse().then(
    ({ ok, summary }) => {
      console.log(JSON.stringify({ ok, ...summary }));
      process.exit(ok ? 0 : 1);
    },
    (error: unknown) => {
      console.error(`deploy:rehearse: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
