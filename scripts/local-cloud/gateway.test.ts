import { localStackHealth, serviceOf } from './gateway';

const signed = (service: string) => ({
  headers: {
    authorization: `AWS4-HMAC-SHA256 Credential=test/20261130/eu-west-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
  },
  url: '/',
});

describe("the gateway's routing", () => {
  it.each(['sqs', 'dynamodb', 's3', 'secretsmanager', 'ssm', 'logs', 'cognito-idp'])(
    'routes a request signed for %s by its credential scope',
    (service) => {
      expect(serviceOf(signed(service))).toBe(service);
    },
  );

  it('routes a presigned URL by the credential in its query', () => {
    expect(
      serviceOf({
        headers: {},
        url: '/bucket/key?X-Amz-Credential=test%2F20261130%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=x',
      }),
    ).toBe('s3');
  });

  it.each([
    ['AmazonSQS.SendMessage', 'sqs'],
    ['DynamoDB_20120810.GetItem', 'dynamodb'],
    ['secretsmanager.GetSecretValue', 'secretsmanager'],
    ['AmazonSSM.GetParameter', 'ssm'],
    ['Logs_20140328.FilterLogEvents', 'logs'],
    ['AWSCognitoIdentityProviderService.AdminCreateUser', 'cognito-idp'],
  ])('routes an unsigned %s by its X-Amz-Target', (target, service) => {
    expect(serviceOf({ headers: { 'x-amz-target': target }, url: '/' })).toBe(service);
  });

  it('sends anything else to S3 (plain GETs of objects)', () => {
    expect(serviceOf({ headers: {}, url: '/bucket/rules/latest.json' })).toBe('s3');
  });
});

describe("the gateway's LocalStack health answer", () => {
  it('lists every service it routes, running when its emulator answers and error when it does not', async () => {
    const health = await localStackHealth({ sqs: 1, dynamodb: 2, s3: 3, ssm: 3 }, async (port) => port !== 2);
    expect(health).toEqual({
      services: { sqs: 'running', dynamodb: 'error', s3: 'running', ssm: 'running' },
      edition: 'community',
      version: 'lending-backbone local cloud',
    });
  });
});
