import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '@backbone/shared';
import { createDynamoDbRequestSigner, type SigningCredentials } from './dynamodb-request-signer';

/** The SDK's own signer on the same request: what DynamoDB checks the signature against. */
async function sdkHeaders(
  region: string,
  host: string,
  body: Buffer,
  credentials: SigningCredentials,
  at: Date,
  payloadHash: string,
): Promise<Record<string, string>> {
  const url = new URL(`http://${host}`);
  const signed = await new SignatureV4({ credentials, region, service: 'dynamodb', sha256: NodeSha256 }).sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: '/',
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
        'x-amz-content-sha256': payloadHash,
      },
      body,
    },
    { signingDate: at },
  );
  return signed.headers;
}

describe('signing DynamoDB requests', () => {
  const body = Buffer.from('{"RequestItems":{"results":[{"PutRequest":{"Item":{"customerId":{"S":"c-1 é"}}}}]}}');
  const at = new Date('2026-11-30T23:29:07.123Z');

  it.each([
    [
      'with a session token (a task role)',
      { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 's3cr/t+', sessionToken: 'tok/en=' },
    ],
    ['without one', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }],
  ])('signs exactly as the SDK does, %s', async (_, credentials: SigningCredentials) => {
    for (const [region, host] of [
      ['eu-west-1', '127.0.0.1:4566'],
      ['us-east-1', 'dynamodb.us-east-1.amazonaws.com'],
    ] as const) {
      const ours = createDynamoDbRequestSigner({ region, host })(
        'DynamoDB_20120810.BatchWriteItem',
        body,
        credentials,
        at,
      );
      const sdk = await sdkHeaders(region, host, body, credentials, at, ours['x-amz-content-sha256']!);
      expect(ours['authorization']).toBe(sdk['authorization']);
      for (const name of ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'host'])
        expect(ours[name]).toBe(sdk[name]);
    }
  });

  it('derives a new signing key when the day or the credentials change', () => {
    const sign = createDynamoDbRequestSigner({ region: 'eu-west-1', host: 'h' });
    const a = { accessKeyId: 'A', secretAccessKey: 'one' };
    const first = sign('T', body, a, at)['authorization'];
    expect(sign('T', body, a, at)['authorization']).toBe(first);
    expect(sign('T', body, { ...a, secretAccessKey: 'two' }, at)['authorization']).not.toBe(first);
    const nextDay = sign('T', body, a, new Date('2026-12-01T00:00:01Z'))['authorization']!;
    expect(nextDay).toContain('Credential=A/20261201/eu-west-1/dynamodb/aws4_request');
    expect(sign('T', body, a, at)['authorization']).toBe(first);
  });
});
