import {
  createDocumentClient,
  createDynamoDbClient,
  createS3Client,
  createSecretsManagerClient,
  createSqsClient,
  createSsmClient,
  type AwsClientSettings,
} from './clients';

const settings: AwsClientSettings = { region: 'eu-west-1', endpoints: {} };

describe('AWS client factories', () => {
  it.each([
    ['SQS', createSqsClient],
    ['DynamoDB', createDynamoDbClient],
    ['DynamoDB documents', createDocumentClient],
    ['S3', createS3Client],
    ['Secrets Manager', createSecretsManagerClient],
    ['SSM', createSsmClient],
  ])('%s: no request-logging middleware (it deep-copies every payload for a no-op logger)', (_, create) => {
    const client = create(settings);
    const names = client.middlewareStack.identify();
    expect(names.some((name) => name.startsWith('hostHeaderMiddleware'))).toBe(true);
    expect(names.filter((name) => name.startsWith('loggerMiddleware'))).toEqual([]);
    client.destroy();
  });
});
