// The alarms plugin (CommonJS, loaded by the framework) on a small service, as `serverless package` runs it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Alarms = require('./alarms.cjs') as new (serverless: unknown) => { addAlarms(): void };

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}

function packaged(alarms: Record<string, unknown>): Record<string, Resource> {
  const template = {
    Resources: {
      HandleLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: {} },
    } as Record<string, Resource>,
    Outputs: {},
  };
  const serverless = {
    service: {
      service: 'svc',
      provider: { stage: 'dev', compiledCloudFormationTemplate: template },
      custom: { alarms },
      resources: { Resources: {} },
    },
  };
  new Alarms(serverless).addAlarms();
  return template.Resources;
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

it('subscribes the stage’s email to the alarm topic, and nobody when it has none', () => {
  expect(ofType(packaged({ email: 'ops@example.com' }), 'AWS::SNS::Subscription')).toEqual([
    [
      'AlarmTopicEmailSubscription',
      { Type: 'AWS::SNS::Subscription', Properties: expect.objectContaining({ Endpoint: 'ops@example.com' }) },
    ],
  ]);
  expect(ofType(packaged({ email: '' }), 'AWS::SNS::Subscription')).toEqual([]);
});

it('posts the alarms to a Slack channel through AWS Chatbot when the stage names one, with a role that may do nothing', () => {
  const resources = packaged({ slackWorkspaceId: 'T0123', slackChannelId: 'C0456' });
  const [[, channel]] = ofType(resources, 'AWS::Chatbot::SlackChannelConfiguration') as [[string, Resource]];
  expect(channel.Properties).toMatchObject({
    ConfigurationName: 'svc-dev-alarms',
    SlackWorkspaceId: 'T0123',
    SlackChannelId: 'C0456',
    SnsTopicArns: [{ Ref: 'AlarmTopic' }],
    GuardrailPolicies: ['arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess'],
  });
  const role = resources.AlarmTopicChatRole!;
  expect(role.Properties.Policies).toBeUndefined();
  expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  // Both are needed: a workspace without a channel subscribes nothing.
  expect(ofType(packaged({ slackWorkspaceId: 'T0123' }), 'AWS::Chatbot::SlackChannelConfiguration')).toEqual([]);
});

it('alarms on the function’s errors and throttles, to the topic', () => {
  const alarms = ofType(packaged({}), 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties.MetricName);
  expect(alarms.sort()).toEqual(['Errors', 'Throttles']);
});
