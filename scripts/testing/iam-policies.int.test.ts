/**
 * IAM proven by the calls the code makes. During the integration tests every function runs in serverless-offline
 * with an access key of its own (scripts/serverless/offline-caller-identity.cjs) and the local cloud's gateway
 * records each AWS call it makes as IAM names it, action and resource (scripts/local-cloud/iam-calls.ts). This file
 * runs last (scripts/testing/integration-sequencer.cjs) and holds every recorded call against the function's own
 * policy as `serverless package` builds it for this stage, evaluated by an IAM policy simulator with the table's or
 * bucket's resource policy (scripts/deploy/iam-policies.ts):
 *
 * - every call allowed: nothing a function does locally would be AccessDenied in AWS;
 * - every action a function is granted used at least once by it, or argued below (what only AWS does with it).
 *
 * It checks the whole integration suite's calls: run alone, or with a few files, it has fewer calls to go on and
 * says so.
 */
import { readFileSync } from 'node:fs';
import {
  decide,
  functionPolicies,
  governingResource,
  grants,
  resourcePolicies,
  type FunctionPolicy,
  type PolicyDocument,
  type Template,
} from '../deploy/iam-policies';
import { packageService } from '../package-all';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE } from '../local-cloud/environment';
import { IAM_CALLS_FILE, readRecordedCalls, type RecordedCall } from '../local-cloud/iam-calls';
import { discoverServices, serverlessServices } from '../local-cloud/services';
import { formatTable } from '@backbone/shared/local';

const table = (header: string[], rows: string[][]): string =>
  formatTable(
    [header, ...rows],
    '  ',
    header.map((_, column) => column),
  ).join('\n');

/**
 * Granted actions no local call uses, each with why it is granted all the same. Keyed by action, or by
 * `<function>:<action>` where the reason is one function's.
 */
const ARGUED: Record<string, string> = {
  'logs:CreateLogStream': 'the Lambda runtime writes the function’s logs with it, not the code',
  'logs:CreateLogGroup': 'the Lambda runtime writes the function’s logs with it, not the code',
  'logs:PutLogEvents': 'the Lambda runtime writes the function’s logs with it, not the code',
  'xray:PutTraceSegments': 'the Lambda runtime sends the traces (tracing is off locally: no X-Ray daemon)',
  'xray:PutTelemetryRecords': 'the Lambda runtime sends the traces (tracing is off locally: no X-Ray daemon)',
  'sqs:ReceiveMessage': 'the SQS event source mapping polls with the function’s role (locally the offline poller)',
  'sqs:DeleteMessage': 'the SQS event source mapping deletes what the function handled (locally the offline poller)',
  'sqs:GetQueueAttributes': 'the SQS event source mapping reads its queue (locally the offline poller)',
  'sqs:ChangeMessageVisibility':
    'the SQS event source mapping returns a batch’s failed items with it (locally the offline poller)',
  'ec2:CreateNetworkInterface': 'Lambda attaches a function in a VPC to its subnets (Cassandra, Aurora)',
  'ec2:DescribeNetworkInterfaces': 'Lambda attaches a function in a VPC to its subnets (Cassandra, Aurora)',
  'ec2:DeleteNetworkInterface': 'Lambda attaches a function in a VPC to its subnets (Cassandra, Aurora)',
  'ec2:AssignPrivateIpAddresses': 'Lambda attaches a function in a VPC to its subnets (Cassandra, Aurora)',
  'ec2:UnassignPrivateIpAddresses': 'Lambda attaches a function in a VPC to its subnets (Cassandra, Aurora)',
  'logs:TagResource': 'the framework’s role for a function with no statements of its own lets Lambda tag its log group',
  'ssm:GetParameter':
    'the platforms’ secrets are SSM SecureStrings in AWS; locally the sandbox’s stand-ins come from the stage params',
  'secretsmanager:GetSecretValue':
    'the stores’ passwords and the engine’s refresh secret are in Secrets Manager in AWS; locally PostgreSQL trusts ' +
    'loopback, Cassandra has no authentication and the refresh secret is a stage param',
  'snoop-scheduler-local-ruleSetPublished:ecs:ListTasks':
    'finds the engine’s running tasks in AWS to tell each to refresh; locally the engine’s processes are at fixed ports',
  'snoop-scheduler-local-ruleSetPublished:ecs:DescribeTasks':
    'reads each engine task’s address in AWS; locally the engine’s processes are at fixed ports',
  'dlq-console-local-indexDeadLetters:dynamodb:BatchGetItem':
    'reads a letter indexed already (by the sweeper, before its consumer’s notice came) to replace it; the store’s ' +
    'integration test replaces letters through the same code (dead-letter-index.int.test.ts)',
  ...deadLetterPath('dlq-console-local-indexDeadLetters'),
  ...deadLetterPath('dlq-console-local-recordAudit'),
  ...deadLetterPath('rules-ingestion-local-recordImpactPreview'),
};

/**
 * A consumer's grant to send to its own DLQ and to the console's notices queue, used only when a message it cannot
 * handle is dead-lettered: no integration test makes these consumers fail (their unit tests do, with the same code).
 */
function deadLetterPath(fn: string): Record<string, string> {
  const why =
    'dead-letters a message it cannot handle (its DLQ, the console’s notices); no integration test makes it fail';
  return { [`${fn}:sqs:SendMessage`]: why, [`${fn}:sqs:GetQueueUrl`]: why };
}

const calls = (): RecordedCall[] => readRecordedCalls(IAM_CALLS_FILE);

const functions = new Map<string, FunctionPolicy>();
const protectedBy = new Map<string, PolicyDocument>();

beforeAll(async () => {
  // All at once, each into folders of its own: the build tests may be packaging the same services meanwhile.
  const names = serverlessServices(discoverServices()).map((service) => service.name);
  const packaged = await Promise.all(
    names.map((name) => packageService(name, LOCAL_STAGE, { output: '.serverless-iam', esbuild: '.esbuild-iam' })),
  );
  for (const [index, name] of names.entries()) {
    const template = JSON.parse(readFileSync(packaged[index]!.templatePath, 'utf8')) as Template;
    const context = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID, stackName: `${name}-${LOCAL_STAGE}` };
    for (const fn of functionPolicies(name, template, context)) functions.set(fn.functionName, fn);
    for (const [arn, policy] of resourcePolicies(template, context)) protectedBy.set(arn, policy);
  }
}, 240_000);

it('has calls to check: the functions called AWS through the gateway, each under its own key', () => {
  const recorded = calls();
  const callers = new Set(recorded.map((call) => call.caller));
  const strangers = [...callers].filter((caller) => !functions.has(caller));
  expect({ strangers }).toEqual({ strangers: [] });
  // Every service's functions reach AWS in the suite; fewer means the recording (or the suite) is broken, or this
  // file ran without the others.
  const heard = new Set([...callers].map((caller) => functions.get(caller)?.service));
  const silent = [...new Set([...functions.values()].map((fn) => fn.service))].filter((s) => !heard.has(s)).sort();
  expect({
    silent,
    ...(silent.length > 0 ? { hint: 'no call recorded from these services: run the whole integration suite' } : {}),
  }).toEqual({ silent: [] });
});

it('allows every AWS call each function made, in its own packaged policy', async () => {
  const refused: Array<RecordedCall & { decision: string }> = [];
  const recorded = calls();
  for (const call of recorded) {
    const fn = functions.get(call.caller)!;
    const decision = await decide(fn, call, protectedBy.get(governingResource(call.resource)), LOCAL_ACCOUNT_ID);
    if (decision !== 'Allowed') refused.push({ ...call, decision });
  }
  console.log(
    `IAM check: ${recorded.length} distinct calls by ${new Set(recorded.map((c) => c.caller)).size} functions, ` +
      `${refused.length} refused\n` +
      table(
        ['function', 'action', 'resource', 'decision'],
        refused.map((call) => [call.caller, call.action, call.resource, call.decision]),
      ),
  );
  expect(refused).toEqual([]);
});

it('uses every action each function is granted, or says why it is granted all the same', () => {
  const used = new Set(calls().map((call) => `${call.caller}:${call.action}`));
  const unused = [...functions.values()].flatMap((fn) =>
    grants(fn)
      .map((grant) => grant.action)
      .filter((action) => !used.has(`${fn.functionName}:${action}`))
      .filter((action) => !ARGUED[`${fn.functionName}:${action}`] && !ARGUED[action])
      .map((action) => ({ function: fn.functionName, action })),
  );
  if (unused.length > 0)
    console.log(
      'granted and never used (remove the grant, cover the call with a test, or argue it in ARGUED):\n' +
        table(
          ['function', 'action'],
          unused.map((entry) => [entry.function, entry.action]),
        ),
    );
  expect(unused).toEqual([]);
});
