import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignedBatchWrite, DynamoDbRequestError } from './dynamodb-batch-write';

/** A stand-in for DynamoDB's endpoint that records each request and answers as told. */
async function endpoint(
  answer: (body: { RequestItems: Record<string, unknown[]> }) => { status: number; body: unknown },
) {
  const seen: { headers: http.IncomingHttpHeaders; body: { RequestItems: Record<string, unknown[]> } }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RequestItems: Record<string, unknown[]> };
      seen.push({ headers: request.headers, body });
      const { status, body: out } = answer(body);
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
const objects = [
  { customerId: { S: 'c-1' }, ruleId: { S: 'r' } },
  { customerId: { S: 'c-2' }, ruleId: { S: 'r' } },
];
const items = objects.map((item) => JSON.stringify(item));

describe('BatchWriteItem over signed HTTP', () => {
  it('sends one signed BatchWriteItem and returns what DynamoDB left unprocessed', async () => {
    const dynamodb = await endpoint((body) => ({
      status: 200,
      body: { UnprocessedItems: { results: [(body.RequestItems['results'] as unknown[])[1]] } },
    }));
    try {
      const write = createSignedBatchWrite({
        region: 'eu-west-1',
        endpoint: dynamodb.url,
        credentials,
        requestTimeoutMs: 1_000,
      });
      expect(await write('results', items)).toEqual([items[1]]);
      const [{ headers, body }] = dynamodb.seen as [(typeof dynamodb.seen)[0]];
      expect(headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
      expect(headers['authorization']).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
      );
      expect(headers['x-amz-security-token']).toBe('token');
      expect(body).toEqual({ RequestItems: { results: objects.map((Item) => ({ PutRequest: { Item } })) } });
    } finally {
      await dynamodb.close();
    }
  });

  it('returns every item when DynamoDB throttles or fails, and throws what it refuses', async () => {
    const answers = [
      {
        status: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'slow down',
        },
      },
      { status: 503, body: { message: 'unavailable' } },
      {
        status: 400,
        body: {
          __type: 'com.amazon.coral.validate#ValidationException',
          message: 'Item size has exceeded the maximum',
        },
      },
    ];
    const dynamodb = await endpoint(() => answers.shift()!);
    try {
      const write = createSignedBatchWrite({
        region: 'eu-west-1',
        endpoint: dynamodb.url,
        credentials,
        requestTimeoutMs: 1_000,
      });
      expect(await write('results', items)).toEqual(items);
      expect(await write('results', items)).toEqual(items);
      const refused = await write('results', items).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DynamoDbRequestError);
      expect(refused).toMatchObject({
        status: 400,
        message: expect.stringMatching(
          /refused BatchWriteItem on results: .*ValidationException: Item size has exceeded/,
        ),
      });
    } finally {
      await dynamodb.close();
    }
  });

  it('abandons a request that takes longer than its timeout', async () => {
    const server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const write = createSignedBatchWrite({
        region: 'eu-west-1',
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        credentials,
        requestTimeoutMs: 100,
      });
      await expect(write('results', items)).rejects.toThrow('DynamoDB: no answer within 100 ms');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
