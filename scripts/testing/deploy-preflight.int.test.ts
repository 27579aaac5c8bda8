/**
 * The bootstrap and the preflight against the local cloud's SSM (moto), through the same client factory the
 * services use: a stage with a missing parameter fails with its name and how to set it; once bootstrapped from its
 * stage file (secure values from the environment or generated), it lacks nothing.
 */
import { randomUUID } from 'node:crypto';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { awsClientSettings, awsEnvironmentSchema, createSsmClient, loadConfig } from '@backbone/shared';
import { awsDeployPorts } from '../deploy';
import { bootstrap, preflight, secretVariable } from '../deploy/preflight';
import { REQUIREMENTS } from '../deploy/requirements';
import type { StageFile } from '../deploy/stage-file';

const stage = `it${randomUUID().slice(0, 8)}`;
// Every service but the one that needs the engine's image (ECR is not part of the local cloud).
const services = ['device-ownership', 'dlq-console', 'marketing-events', 'rules-ingestion'];
const file: StageFile = {
  region: 'eu-west-1',
  protect: false,
  params: Object.fromEntries(REQUIREMENTS.filter((r) => r.kind === 'param').map((r) => [r.name, `value-${r.name}`])),
  ssm: Object.fromEntries(
    REQUIREMENTS.filter((r) => r.kind === 'ssm').map((r) => [r.name, `value-of-${r.name.replace('/', '-')}`]),
  ),
};
const ports = awsDeployPorts();
const ssm = createSsmClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));

afterAll(() => {
  ports.close();
  ssm.destroy();
});

it('names what a fresh stage lacks with how to set it, and lacks nothing once bootstrapped', async () => {
  const before = await preflight(stage, file, services, ports);
  const missing = before.filter((f) => f.status === 'missing');
  expect(missing.map((f) => f.where)).toContain(`/lending-backbone/${stage}/cassandra/contact-points`);
  expect(missing.find((f) => f.where.endsWith('/marketing/ga4-api-secret'))!.requirement.how).toContain(
    'BOOTSTRAP_SECRET_MARKETING_GA4_API_SECRET',
  );

  const actions = await bootstrap(stage, file, ports, {
    [secretVariable('marketing/meta-access-token')]: 'meta-token-for-the-test',
    [secretVariable('marketing/ga4-api-secret')]: 'ga4-secret-for-the-test',
  });
  expect(actions.filter((a) => a.action === 'not given')).toEqual([]);
  const secure = await ssm.send(
    new GetParameterCommand({ Name: `/lending-backbone/${stage}/marketing/meta-access-token`, WithDecryption: true }),
  );
  expect(secure.Parameter).toMatchObject({ Type: 'SecureString', Value: 'meta-token-for-the-test' });

  const after = await preflight(stage, file, services, ports);
  expect(after.filter((f) => f.status === 'missing')).toEqual([]);
  // rules-ingestion alone needs the staff pool's values, which only dlq-console's stack writes.
  const alone = await preflight(stage, file, ['rules-ingestion'], ports);
  expect(alone.filter((f) => f.status === 'missing').map((f) => f.where)).toEqual([
    `/lending-backbone/${stage}/staff/user-pool-arn`,
    `/lending-backbone/${stage}/staff/user-pool-id`,
    `/lending-backbone/${stage}/staff/sign-in-url`,
  ]);
});
