'use strict';
/**
 * A Serverless Framework plugin that gives every service the CloudWatch alarms that say something hurts, in its own
 * template, so that a function or queue added later has them without anyone remembering to (the packaging test
 * checks that each has):
 *
 * - every Lambda function: Errors >= 1 and Throttles >= 1 in five minutes;
 * - every dead-letter queue (a queue another's RedrivePolicy names, or one whose logical id ends in "Dlq"): any
 *   message in it, and its oldest message older than `deadLetterAgeSeconds` (default a day: SQS deletes it at the
 *   end of its retention, so a forgotten dead letter is eventually a lost one);
 * - every other queue with a RedrivePolicy: its oldest message older than `backlogAgeSeconds` (default an hour), a
 *   consumer that has stopped;
 *
 * and a CloudWatch dashboard, `${service}-${stage}`, with each function's invocations, errors, throttles and p99
 * duration, each queue's depth and oldest message, and the service's own metrics (Powertools EMF, by name);
 *
 * the alarms all sent to the stack's alarm topic (SNS, encrypted with the AWS-managed key), `${service}-${stage}-alarms`, to
 * which `email` (a stage param, optional) is subscribed, and a Slack channel through AWS Chatbot when `slackWorkspaceId`
 * and `slackChannelId` are set; its ARN is an output (AlarmTopicArn) for other integrations.
 * Settings: `custom.alarms: { email, slackWorkspaceId, slackChannelId, deadLetterAgeSeconds, backlogAgeSeconds }`.
 */
const TOPIC = 'AlarmTopic';

const alarmName = (logicalId) => logicalId.replace(/[^A-Za-z0-9]/g, '');

/** The logical ids of the queues some queue's RedrivePolicy sends to. */
function deadLetterTargets(resources) {
  const targets = new Set();
  for (const resource of Object.values(resources)) {
    const arn =
      resource.Type === 'AWS::SQS::Queue' ? resource.Properties?.RedrivePolicy?.deadLetterTargetArn : undefined;
    const target = arn?.['Fn::GetAtt']?.[0];
    if (target) targets.add(target);
  }
  return targets;
}

class Alarms {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.addAlarms() };
  }

  addAlarms() {
    const { service, provider } = this.serverless.service;
    const settings = this.serverless.service.custom?.alarms ?? {};
    const deadLetterAge = Number(settings.deadLetterAgeSeconds ?? 86_400);
    const backlogAge = Number(settings.backlogAgeSeconds ?? 3_600);
    if (!(deadLetterAge > 0) || !(backlogAge > 0))
      throw new Error('custom.alarms: deadLetterAgeSeconds and backlogAgeSeconds must be positive numbers of seconds');
    const template = provider.compiledCloudFormationTemplate;
    const resources = template.Resources;
    // The service's own `resources` are merged into the template after this hook: read them from the service.
    const declared = [this.serverless.service.resources ?? []]
      .flat()
      .reduce((all, part) => ({ ...all, ...(part?.Resources ?? {}) }), {});
    const everything = { ...resources, ...declared };
    const stage = provider.stage;
    const actions = [{ Ref: TOPIC }];
    const alarm = (logicalId, description, metric) => {
      resources[logicalId] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${service}-${stage}-${logicalId.replace(/Alarm$/, '')}`,
          AlarmDescription: description,
          Namespace: metric.namespace,
          MetricName: metric.name,
          Dimensions: metric.dimensions,
          Statistic: metric.statistic,
          Period: metric.period,
          EvaluationPeriods: 1,
          Threshold: metric.threshold,
          ComparisonOperator: metric.comparison ?? 'GreaterThanOrEqualToThreshold',
          // No data is no trouble: a function not invoked, a queue empty.
          TreatMissingData: 'notBreaching',
          AlarmActions: actions,
          OKActions: actions,
        },
      };
    };

    resources[TOPIC] = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${service}-${stage}-alarms`, KmsMasterKeyId: 'alias/aws/sns' },
    };
    if (settings.email)
      resources[`${TOPIC}EmailSubscription`] = {
        Type: 'AWS::SNS::Subscription',
        Properties: { TopicArn: { Ref: TOPIC }, Protocol: 'email', Endpoint: settings.email },
      };
    if (settings.slackWorkspaceId && settings.slackChannelId) {
      // AWS Chatbot posts each alarm to the channel. Its role lets it do nothing (posting needs no rights); the
      // guardrail keeps anything typed in the channel to reading CloudWatch.
      resources[`${TOPIC}ChatRole`] = {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'chatbot.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          },
        },
      };
      resources[`${TOPIC}SlackChannel`] = {
        Type: 'AWS::Chatbot::SlackChannelConfiguration',
        Properties: {
          ConfigurationName: `${service}-${stage}-alarms`,
          SlackWorkspaceId: settings.slackWorkspaceId,
          SlackChannelId: settings.slackChannelId,
          IamRoleArn: { 'Fn::GetAtt': [`${TOPIC}ChatRole`, 'Arn'] },
          GuardrailPolicies: ['arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess'],
          SnsTopicArns: [{ Ref: TOPIC }],
          LoggingLevel: 'ERROR',
        },
      };
    }
    template.Outputs = {
      ...(template.Outputs ?? {}),
      AlarmTopicArn: {
        Description: "Where this service's alarms go (subscribe chat or paging here).",
        Value: { Ref: TOPIC },
      },
    };

    this.addDashboard(template, everything, `${service}-${stage}`, service);

    const targets = deadLetterTargets(everything);
    for (const [logicalId, resource] of Object.entries(everything)) {
      const name = alarmName(logicalId);
      if (resource.Type === 'AWS::Lambda::Function') {
        const dimensions = [{ Name: 'FunctionName', Value: { Ref: logicalId } }];
        for (const metricName of ['Errors', 'Throttles'])
          alarm(`${name}${metricName}Alarm`, `${logicalId}: ${metricName.toLowerCase()} in the last five minutes.`, {
            namespace: 'AWS/Lambda',
            name: metricName,
            dimensions,
            statistic: 'Sum',
            period: 300,
            threshold: 1,
          });
      }
      if (resource.Type !== 'AWS::SQS::Queue') continue;
      const dimensions = [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId, 'QueueName'] } }];
      if (targets.has(logicalId) || /Dlq$/.test(logicalId)) {
        alarm(`${name}DepthAlarm`, `${logicalId}: dead letters waiting (inspect and redrive them with the console).`, {
          namespace: 'AWS/SQS',
          name: 'ApproximateNumberOfMessagesVisible',
          dimensions,
          statistic: 'Maximum',
          period: 60,
          threshold: 0,
          comparison: 'GreaterThanThreshold',
        });
        alarm(
          `${name}OldestAlarm`,
          `${logicalId}: a dead letter older than ${deadLetterAge} s (SQS deletes it at the end of its retention).`,
          {
            namespace: 'AWS/SQS',
            name: 'ApproximateAgeOfOldestMessage',
            dimensions,
            statistic: 'Maximum',
            period: 300,
            threshold: deadLetterAge,
          },
        );
      } else if (resource.Properties?.RedrivePolicy) {
        alarm(
          `${name}BacklogAlarm`,
          `${logicalId}: a message waiting over ${backlogAge} s (is its consumer running?).`,
          {
            namespace: 'AWS/SQS',
            name: 'ApproximateAgeOfOldestMessage',
            dimensions,
            statistic: 'Maximum',
            period: 300,
            threshold: backlogAge,
          },
        );
      }
    }
  }
}

/**
 * The service's dashboard: one row of functions, one of queues, one of its own metrics. Names reach the body through
 * Fn::Sub (${Function} is its name, ${Queue.QueueName} the queue's), so it follows whatever CloudFormation names them.
 */
Alarms.prototype.addDashboard = function addDashboard(template, resources, name, service) {
  const functions = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id]) => id);
  const queues = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
    .map(([id]) => id);
  const widget = (title, metrics, x, y, extra = {}) => ({
    type: 'metric',
    x,
    y,
    width: 12,
    height: 6,
    properties: { title, region: '${AWS::Region}', view: 'timeSeries', stat: 'Sum', period: 300, metrics, ...extra },
  });
  // Fn::Sub's references: a function's name, a queue's name.
  const perFunction = (metric) => functions.map((id) => ['AWS/Lambda', metric, 'FunctionName', '${' + id + '}']);
  const perQueue = (metric) => queues.map((id) => ['AWS/SQS', metric, 'QueueName', '${' + id + '.QueueName}']);
  const widgets = [
    widget('Invocations', perFunction('Invocations'), 0, 0),
    widget('Errors and throttles', [...perFunction('Errors'), ...perFunction('Throttles')], 12, 0),
    widget('Duration, p99 (ms)', perFunction('Duration'), 0, 6, { stat: 'p99' }),
    widget(
      "Service's own metrics",
      [[{ expression: `SEARCH('{LendingEventBackbone,service} service="${service}"', 'Sum', 300)`, id: 'own' }]],
      12,
      6,
    ),
    ...(queues.length > 0
      ? [
          widget('Messages waiting', perQueue('ApproximateNumberOfMessagesVisible'), 0, 12, { stat: 'Maximum' }),
          widget('Oldest message, seconds', perQueue('ApproximateAgeOfOldestMessage'), 12, 12, { stat: 'Maximum' }),
        ]
      : []),
  ];
  // The SEARCH text's braces are not of the form ${...}: Fn::Sub leaves them as they are.
  const body = JSON.stringify({ widgets });
  template.Resources.Dashboard = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: { DashboardName: name, DashboardBody: { 'Fn::Sub': body } },
  };
};

module.exports = Alarms;
