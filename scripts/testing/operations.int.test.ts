/**
 * The commands a team runs against a deployed stage, run here against the local one:
 * - `npm run migrate -- --stage local`: the stores' migrations applied by invoking each owning service's migration
 *   function, as in AWS (where only those functions reach the stores), here in serverless-offline through its Lambda
 *   API. Each function finds the migrations packaged beside its bundle, and the stores record every one of them.
 * - `npm run logs -- <service> <function>`: a function's lines, from its serverless-offline log locally and from
 *   CloudWatch Logs in AWS (here moto's, behind the local cloud's gateway), readable, filtered by correlation id.
 * - `npm run staff -- invite|list`: the first administrator of a stage, and others, in its staff user pool (here a
 *   pool made in moto's Cognito as dlq-console's stack makes it, its id in SSM where the stack writes it).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { awsClientSettings, awsEnvironmentSchema, createSsmClient, loadConfig } from '@backbone/shared';
import { cassandraEnvironmentSchema, createCassandraClient } from '@backbone/shared/cassandra';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { MIGRATION_FUNCTIONS, migrateStage } from '../deploy/migrate';

const ROOT = path.resolve(__dirname, '..', '..');
const files = (service: string, extension: string) =>
  readdirSync(path.join(ROOT, 'services', service, 'migrations'))
    .filter((file) => file.endsWith(extension))
    .map((file) => file.slice(0, -extension.length))
    .sort();

it('migrates every store through its service’s function: each finds its packaged migrations and is up to date', async () => {
  const outcomes = await migrateStage('local', Object.keys(MIGRATION_FUNCTIONS), () => undefined);
  expect(outcomes.map((outcome) => [outcome.service, outcome.error, outcome.report?.known])).toEqual([
    ['device-ownership', undefined, files('device-ownership', '.cql').length],
    ['rules-ingestion', undefined, files('rules-ingestion', '.sql').length],
    ['snoop-scheduler', undefined, files('snoop-scheduler', '.sql').length],
  ]);
  // Provisioning applied them already: a second application is none.
  for (const outcome of outcomes)
    expect({ service: outcome.service, applied: outcome.report?.applied }).toEqual({
      service: outcome.service,
      applied: [],
    });

  const pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  const cassandra = createCassandraClient(
    loadConfig(cassandraEnvironmentSchema, { ...process.env, CASSANDRA_KEYSPACE: 'device_ownership' }),
  );
  try {
    const names = async (table: string) =>
      (await pool.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY name`)).rows.map((row) => row.name);
    expect(await names('public.pgmigrations')).toEqual(expect.arrayContaining(files('rules-ingestion', '.sql')));
    expect(await names('customer_store.pgmigrations')).toEqual(files('snoop-scheduler', '.sql'));
    const cql = (await cassandra.execute('SELECT version, name FROM schema_migrations')).rows.length;
    expect(cql).toBe(files('device-ownership', '.cql').length);
  } finally {
    await pool.end();
    await cassandra.shutdown();
  }
});

const command = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 90_000,
  });

it('prints a table and exits 0 as the command; names the owners when asked for a service that owns no store', () => {
  const run = (...args: string[]) => command(path.join('deploy', 'migrate.ts'), ...args);
  const one = run('--stage', 'local', '--service', 'rules-ingestion');
  expect({ status: one.status, stderr: one.stderr }).toEqual({ status: 0, stderr: expect.stringContaining('[1/1]') });
  expect(one.stdout).toMatch(/rules-ingestion\s+PostgreSQL .*none \(up to date\)\s+ok/);
  const wrong = run('--stage', 'local', '--service', 'marketing-events');
  expect(wrong.status).not.toBe(0);
  expect(wrong.stderr).toContain('the services that do: device-ownership, rules-ingestion, snoop-scheduler');
});

it('shows a local function’s own lines, readable: the migration just invoked said it was up to date', () => {
  const shown = command('logs.ts', 'rules-ingestion', 'migrateDatabase', '--stage', 'local', '--since', '10m');
  expect({ status: shown.status, stderr: shown.stderr }).toEqual({
    status: 0,
    stderr: expect.stringMatching(/^[1-9]\d* line\(s\) of rules-ingestion-local-migrateDatabase in the last 10m/m),
  });
  expect(shown.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}INFO {3}the store is up to date {2}store=PostgreSQL/m);
  // Only that function's: the service's other functions write to the same file.
  expect(shown.stdout).not.toContain('outbox relayed');
});

it('reads a deployed function’s log group in CloudWatch Logs, following one correlation id', async () => {
  const stage = `it${randomUUID().slice(0, 6)}`;
  const logGroupName = `/aws/lambda/marketing-events-${stage}-dispatchEvents`;
  const logs = new CloudWatchLogsClient({ region: process.env.AWS_REGION, endpoint: process.env.AWS_ENDPOINT_URL });
  const line = (message: string, correlationId: string) =>
    JSON.stringify({
      level: 'INFO',
      message,
      timestamp: new Date().toISOString(),
      service: 'marketing-events',
      function_name: `marketing-events-${stage}-dispatchEvents`,
      correlationId,
      destination: 'meta',
    });
  try {
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'a' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 'a',
        logEvents: [
          { timestamp: Date.now(), message: line('delivered', 'conv-1') },
          { timestamp: Date.now(), message: line('delivered', 'conv-2') },
        ],
      }),
    );
    const shown = command('logs.ts', 'marketing-events', 'dispatchEvents', '--stage', stage, '--correlation', 'conv-2');
    expect({ status: shown.status, stderr: shown.stderr }).toEqual({
      status: 0,
      stderr: expect.stringContaining(`1 line(s) of marketing-events-${stage}-dispatchEvents`),
    });
    expect(shown.stdout).toMatch(/INFO {3}delivered {2}\[conv-2\] {2}destination=meta/);
    const missing = command('logs.ts', 'marketing-events', 'nothingHere', '--stage', stage);
    expect({ status: missing.status, stderr: missing.stderr }).toEqual({
      status: 1,
      stderr: expect.stringContaining(`no log group /aws/lambda/marketing-events-${stage}-nothingHere`),
    });
  } finally {
    await logs.send(new DeleteLogGroupCommand({ logGroupName })).catch(() => undefined);
    logs.destroy();
  }
});

it('invites a stage’s first administrator with every role, adds roles to someone already there, lists the people', async () => {
  const stage = `it${randomUUID().slice(0, 6)}`;
  const settings = awsClientSettings(loadConfig(awsEnvironmentSchema));
  const cognito = new CognitoIdentityProviderClient({
    region: settings.region,
    endpoint: process.env.AWS_ENDPOINT_URL,
  });
  const ssm = createSsmClient(settings);
  const parameter = `/lending-backbone/${stage}/staff/user-pool-id`;
  const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: `dlq-console-${stage}-users` }));
  const userPoolId = pool.UserPool!.Id!;
  try {
    for (const group of ['dlq:read', 'dlq:redrive', 'rules:approve'])
      await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
    const before = command('staff.ts', 'invite', 'ada@example.com', '--stage', stage, '--roles', 'all');
    expect({ status: before.status, stderr: before.stderr }).toEqual({
      status: 1,
      stderr: expect.stringContaining(`no ${parameter}: deploy dlq-console to stage ${stage} first`),
    });
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: userPoolId, Type: 'String' }));

    const first = command('staff.ts', 'invite', 'ada@example.com', '--stage', stage, '--roles', 'all');
    expect({ status: first.status, stdout: first.stdout }).toEqual({
      status: 0,
      stdout: expect.stringContaining('invited ada@example.com: Cognito emails a temporary password'),
    });
    expect(first.stdout).toContain('roles: dlq:read, dlq:redrive, rules:approve');
    const typo = command('staff.ts', 'invite', 'bob@example.com', '--stage', stage, '--roles', 'dlq:reed');
    expect({ status: typo.status, stderr: typo.stderr }).toEqual({
      status: 1,
      stderr: expect.stringContaining("no such role: dlq:reed. The pool's roles: dlq:read, dlq:redrive, rules:approve"),
    });
    expect(command('staff.ts', 'invite', 'bob@example.com', '--stage', stage, '--roles', 'dlq:read').status).toBe(0);
    const again = command('staff.ts', 'invite', 'bob@example.com', '--stage', stage, '--roles', 'dlq:redrive');
    expect(again.stdout).toContain('bob@example.com was already there: roles added');

    const listed = command('staff.ts', 'list', '--stage', stage);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/ada@example\.com\s+FORCE_CHANGE_PASSWORD\s+dlq:read dlq:redrive rules:approve/);
    expect(listed.stdout).toMatch(/bob@example\.com\s+FORCE_CHANGE_PASSWORD\s+dlq:read dlq:redrive\s*$/m);
  } finally {
    await cognito.send(new DeleteUserPoolCommand({ UserPoolId: userPoolId })).catch(() => undefined);
    await ssm.send(new DeleteParameterCommand({ Name: parameter })).catch(() => undefined);
    cognito.destroy();
    ssm.destroy();
  }
});
