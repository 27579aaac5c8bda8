import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

/**
 * An API Gateway REST (proxy integration) event, as Lambda hands it to an HTTP function. `callerArn` is what
 * AWS_IAM authorisation puts in requestContext.identity once the signature checks; omit it for an unsigned call.
 */
export function apiGatewayEvent(
  options: { method?: string; path?: string; body?: string | null; callerArn?: string; base64?: boolean } = {},
): APIGatewayProxyEvent {
  const { method = 'POST', path = '/', body = null, callerArn, base64 = false } = options;
  return {
    body: base64 && body !== null ? Buffer.from(body).toString('base64') : body,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    httpMethod: method,
    isBase64Encoded: base64,
    path,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: path,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test-api',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: path,
      identity: {
        accessKey: callerArn ? 'AKIDEXAMPLE' : null,
        accountId: callerArn ? '000000000000' : null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'jest',
        userArn: callerArn ?? null,
      },
    },
  };
}
