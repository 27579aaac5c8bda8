/**
 * What a stage needs before its first deploy, in one list: the SSM parameters the templates read (plain values the
 * stage file gives, secure ones bootstrap generates or is handed), those a stack writes for the others, the params a
 * stage must set, and the engine's image. The preflight checks them all at once; a unit test checks that every SSM
 * path a template reads is here, so a new one cannot be forgotten.
 */
export type RequirementKind = 'ssm' | 'ssm-secure' | 'stack-output' | 'param' | 'image';

export interface Requirement {
  kind: RequirementKind;
  /** An SSM path under /lending-backbone/<stage>/, a param's name, or the image's repository. */
  name: string;
  services: string[];
  /** What it is, and how to provide it. */
  how: string;
  /** For a secure value bootstrap may make up itself (a signing key), rather than be handed one. */
  generate?: boolean;
  /** A param with a default that works (so the preflight only says it), or one that must be set. */
  optional?: boolean;
}

export const SSM_PREFIX = '/lending-backbone';
export const ssmPath = (stage: string, name: string): string => `${SSM_PREFIX}/${stage}/${name}`;

const aurora = (name: string, services: string[], how: string): Requirement => ({
  kind: 'ssm',
  name: `aurora/${name}`,
  services,
  how: `${how} (the Aurora cluster's owner writes it; in the stage file under ssm:)`,
});
const cassandra = (name: string, how: string): Requirement => ({
  kind: 'ssm',
  name: `cassandra/${name}`,
  services: ['device-ownership'],
  how: `${how} (in the stage file under ssm:)`,
});

export const REQUIREMENTS: readonly Requirement[] = [
  { kind: 'ssm', name: 'network/vpc-id', services: ['snoop-scheduler'], how: 'the VPC the rules engine runs in' },
  aurora('endpoint', ['rules-ingestion'], "the cluster's writer endpoint (host name)"),
  aurora('cluster-id', ['snoop-scheduler'], "the cluster's identifier (RDS Proxy targets it)"),
  aurora(
    'private-subnet-ids',
    ['rules-ingestion', 'snoop-scheduler'],
    'private subnets that reach it, comma-separated',
  ),
  aurora('client-security-group-id', ['rules-ingestion', 'snoop-scheduler'], 'the security group it admits on 5432'),
  aurora('rules-ingestion-secret-arn', ['rules-ingestion'], "the ARN of rules_ingestion's password secret"),
  aurora('snoop-engine-secret-arn', ['snoop-scheduler'], "the ARN of snoop_engine's password secret"),
  cassandra('contact-points', 'host:port of the cluster (Amazon Keyspaces: cassandra.<region>.amazonaws.com:9142)'),
  cassandra('private-subnet-ids', 'private subnets that reach it, comma-separated'),
  cassandra('client-security-group-id', 'the security group it admits on 9042/9142'),
  cassandra('device-ownership-secret-arn', "the ARN of device-ownership's credentials secret"),
  {
    kind: 'ssm',
    name: 'engine/certificate-arn',
    services: ['snoop-scheduler'],
    how: "an ACM certificate for the engine's name",
  },
  {
    kind: 'ssm',
    name: 'engine/domain-name',
    services: ['snoop-scheduler'],
    how: "the engine's name in the VPC's private zone",
  },
  {
    kind: 'ssm-secure',
    name: 'marketing/meta-access-token',
    services: ['marketing-events'],
    how: 'Meta Conversions API access token: BOOTSTRAP_SECRET_MARKETING_META_ACCESS_TOKEN=... npm run deploy:bootstrap',
  },
  {
    kind: 'ssm-secure',
    name: 'marketing/ga4-api-secret',
    services: ['marketing-events'],
    how: 'GA4 Measurement Protocol API secret: BOOTSTRAP_SECRET_MARKETING_GA4_API_SECRET=... npm run deploy:bootstrap',
  },
  {
    kind: 'ssm-secure',
    name: 'marketing/webhook-signing-key',
    services: ['marketing-events'],
    how: 'the webhook receiver verifies with it: npm run deploy:bootstrap generates one (share it with the receiver)',
    generate: true,
  },
  ...['user-pool-arn', 'user-pool-id', 'sign-in-url'].map((name): Requirement => ({
    kind: 'stack-output',
    name: `staff/${name}`,
    services: ['rules-ingestion'],
    how: 'written by the dlq-console stack (the staff user pool): deploy dlq-console first',
  })),
  {
    kind: 'param',
    name: 'metaDatasetId',
    services: ['marketing-events'],
    how: 'the Meta dataset (pixel) id events go to',
  },
  { kind: 'param', name: 'ga4FirebaseAppId', services: ['marketing-events'], how: "the app's Firebase app id for GA4" },
  {
    kind: 'param',
    name: 'webhookUrl',
    services: ['marketing-events'],
    how: 'the generic webhook receiver (https://...)',
  },
  { kind: 'param', name: 'consoleUrl', services: ['dlq-console'], how: "the console's address, where sign-in returns" },
  {
    kind: 'param',
    name: 'logRouterImage',
    services: ['snoop-scheduler'],
    how: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:<release>@sha256:<digest> (crane digest prints it)',
  },
  {
    kind: 'param',
    name: 'xrayDaemonImage',
    services: ['snoop-scheduler'],
    how: 'public.ecr.aws/xray/aws-xray-daemon:<release>@sha256:<digest> (crane digest prints it): the engine’s traces',
  },
  {
    kind: 'param',
    name: 'bucketPrefix',
    services: ['rules-ingestion', 'snoop-scheduler'],
    how: "your organisation's prefix for bucket names (global in AWS); default lending-backbone",
    optional: true,
  },
  {
    kind: 'param',
    name: 'alarmEmail',
    services: ['*'],
    how: 'where alarms are mailed; none subscribed if empty',
    optional: true,
  },
  {
    kind: 'param',
    name: 'alarmSlackWorkspaceId',
    services: ['*'],
    how: 'the Slack workspace AWS Chatbot posts alarms to (authorised once in the Chatbot console); with alarmSlackChannelId',
    optional: true,
  },
  {
    kind: 'param',
    name: 'alarmSlackChannelId',
    services: ['*'],
    how: 'the Slack channel for the alarms (its id, C0123...); with alarmSlackWorkspaceId',
    optional: true,
  },
  {
    kind: 'image',
    name: 'snoop-rules-engine',
    services: ['snoop-scheduler'],
    how: "the rules engine's image in ECR, tagged with the stage (engineImageTag): see snoop-scheduler's README, The image",
  },
];

/** The SSM paths (under /lending-backbone/${sls:stage}/) a template's text reads. */
export const ssmPathsIn = (templateText: string): string[] =>
  [...templateText.matchAll(/\/lending-backbone\/\$\{sls:stage\}\/([a-z0-9/-]+)/g)].map((m) => m[1]!);
