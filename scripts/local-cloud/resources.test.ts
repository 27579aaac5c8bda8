import { dependencyOrder, physicalName, resolveIntrinsics, sameAttribute, type Resource } from './resources';

const queue = (logicalId: string, properties: Record<string, unknown>): Resource => ({
  service: 'svc',
  logicalId,
  type: 'AWS::SQS::Queue',
  properties,
});

const dlq = queue('EventsDlq', { QueueName: 'svc-local-events-dlq', MessageRetentionPeriod: 1_209_600 });
const events = queue('EventsQueue', {
  QueueName: 'svc-local-events',
  RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['EventsDlq', 'Arn'] }, maxReceiveCount: 5 },
});
const table: Resource = {
  service: 'svc',
  logicalId: 'DeliveriesTable',
  type: 'AWS::DynamoDB::Table',
  properties: { TableName: 'svc-local-deliveries' },
};
const bucket: Resource = {
  service: 'svc',
  logicalId: 'RulesBucket',
  type: 'AWS::S3::Bucket',
  properties: { BucketName: 'rules', Tags: [{ Key: 'table', Value: { Ref: 'DeliveriesTable' } }] },
};
const byId = new Map([dlq, events, table, bucket].map((r) => [r.logicalId, r]));

describe('local provisioning of a resolved serverless.yml', () => {
  it('names each resource by its explicit physical name, and says what to add when there is none', () => {
    expect([dlq, table, bucket].map(physicalName)).toEqual(['svc-local-events-dlq', 'svc-local-deliveries', 'rules']);
    expect(() => physicalName(queue('Anonymous', {}))).toThrow(/Anonymous has no QueueName. Give every queue/);
  });

  it('resolves Ref to a physical name and GetAtt Arn to the local ARN of each kind', () => {
    expect(resolveIntrinsics(events.properties, byId, 'eu-west-1', events)).toEqual({
      QueueName: 'svc-local-events',
      RedrivePolicy: {
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:svc-local-events-dlq',
        maxReceiveCount: 5,
      },
    });
    expect(resolveIntrinsics(bucket.properties, byId, 'eu-west-1', bucket)).toEqual({
      BucketName: 'rules',
      Tags: [{ Key: 'table', Value: 'svc-local-deliveries' }],
    });
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['DeliveriesTable', 'Arn'] }, byId, 'eu-west-2', table)).toBe(
      'arn:aws:dynamodb:eu-west-2:000000000000:table/svc-local-deliveries',
    );
    expect(resolveIntrinsics({ 'Fn::GetAtt': ['RulesBucket', 'Arn'] }, byId, 'eu-west-1', table)).toBe(
      'arn:aws:s3:::rules',
    );
  });

  it('refuses what it cannot resolve locally, naming the resource', () => {
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, byId, 'eu-west-1', events)).toThrow(
      'svc: EventsQueue refers to unknown resource Missing',
    );
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['EventsDlq', 'QueueUrl'] }, byId, 'eu-west-1', events)).toThrow(
      /EventsDlq.QueueUrl is not supported locally/,
    );
    expect(() => resolveIntrinsics({ 'Fn::Sub': 'x' }, byId, 'eu-west-1', events)).toThrow(/uses Fn::Sub/);
  });

  it('creates a queue after the DLQ it refers to, whatever the declaration order', () => {
    expect(dependencyOrder([events, table, dlq]).map((r) => r.logicalId)).toEqual([
      'EventsDlq',
      'EventsQueue',
      'DeliveriesTable',
    ]);
    expect(dependencyOrder([dlq, events]).map((r) => r.logicalId)).toEqual(['EventsDlq', 'EventsQueue']);
  });

  it('compares queue attributes as SQS reports them (numbers as strings, JSON re-serialised)', () => {
    expect(
      sameAttribute(
        '{"deadLetterTargetArn":"a","maxReceiveCount":"5"}',
        '{"maxReceiveCount":5,"deadLetterTargetArn":"a"}',
      ),
    ).toBe(false);
    expect(
      sameAttribute(
        '{"deadLetterTargetArn":"a","maxReceiveCount":"5"}',
        '{"deadLetterTargetArn":"a","maxReceiveCount":5}',
      ),
    ).toBe(true);
    expect(sameAttribute('180', '180')).toBe(true);
    expect(sameAttribute('180', '30')).toBe(false);
    expect(sameAttribute(undefined, '30')).toBe(false);
  });
});
