/** The local cloud answers LocalStack's health check, so LocalStack-aware tools work against it unchanged. */
it('answers GET /_localstack/health on the edge port with each service running', async () => {
  const response = await fetch('http://127.0.0.1:4566/_localstack/health');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    services: {
      sqs: 'running',
      dynamodb: 'running',
      s3: 'running',
      secretsmanager: 'running',
      ssm: 'running',
      logs: 'running',
      'cognito-idp': 'running',
    },
    edition: 'community',
    version: 'lending-backbone local cloud',
  });
});
