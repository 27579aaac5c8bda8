import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { functionIdentity } from '@backbone/shared/testing';
import { CallRecorder, callsOf, functionOf, functionOfAccessKeyId, readRecordedCalls, signatureOf } from './iam-calls';

// The plugin that gives each function its key under serverless-offline (CommonJS, loaded by the framework).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { accessKeyIdOfFunction } = require('../serverless/offline-caller-identity.cjs') as {
  accessKeyIdOfFunction: (name: string) => string;
};

const FUNCTION = 'marketing-events-local-dispatchEvents';
const signedBy = (accessKeyId: string, service: string) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261207/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
});
const json = (service: string, target: string, body: unknown) => ({
  method: 'POST',
  url: '/',
  headers: { ...signedBy(accessKeyIdOfFunction(FUNCTION), service), 'x-amz-target': target },
  body: JSON.stringify(body),
});
const arn = (rest: string) => `arn:aws:${rest}`;

describe('a function’s access key', () => {
  it('spells its Lambda name in letters and digits only (DynamoDB Local refuses anything else), and back', () => {
    const key = accessKeyIdOfFunction(FUNCTION);
    expect(key).toMatch(/^[A-Z0-9]+$/);
    expect(functionOfAccessKeyId(key)).toBe(FUNCTION);
    // The same key for a test that runs the function's code in its own process.
    expect(functionIdentity(FUNCTION).AWS_ACCESS_KEY_ID).toBe(key);
  });

  it('is told apart from the keys of scripts and tests, which are not recorded', () => {
    expect(functionOfAccessKeyId('test')).toBeUndefined();
    expect(functionOfAccessKeyId('LOCALFN')).toBeUndefined();
    expect(functionOfAccessKeyId('LOCALFNXYZ')).toBeUndefined();
    expect(functionOf(signatureOf({ url: '/', headers: signedBy('test', 'sqs') }))).toBeUndefined();
    expect(callsOf({ ...json('sqs', 'AmazonSQS.SendMessage', {}), headers: signedBy('test', 'sqs') })).toEqual([]);
    expect(callsOf({ method: 'GET', url: '/', headers: {} })).toEqual([]);
  });
});

describe('the calls one request makes, as IAM names them', () => {
  it('SQS: the queue from its URL or name; batches authorised as their single form', () => {
    expect(
      callsOf(
        json('sqs', 'AmazonSQS.SendMessageBatch', { QueueUrl: 'http://127.0.0.1:4566/000000000000/a-local-events' }),
      ),
    ).toEqual([
      { caller: FUNCTION, action: 'sqs:SendMessage', resource: arn('sqs:eu-west-1:000000000000:a-local-events') },
    ]);
    expect(callsOf(json('sqs', 'AmazonSQS.GetQueueUrl', { QueueName: 'q' }))[0]).toMatchObject({
      action: 'sqs:GetQueueUrl',
      resource: arn('sqs:eu-west-1:000000000000:q'),
    });
    expect(callsOf(json('sqs', 'AmazonSQS.ListQueues', {}))[0]).toMatchObject({
      action: 'sqs:ListQueues',
      resource: '*',
    });
  });

  it('SQS in its query protocol: the operation and queue from the form', () => {
    const form = {
      method: 'POST',
      url: '/',
      headers: {
        ...signedBy(accessKeyIdOfFunction(FUNCTION), 'sqs'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=DeleteMessage&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq',
    };
    expect(callsOf(form)).toEqual([
      { caller: FUNCTION, action: 'sqs:DeleteMessage', resource: arn('sqs:eu-west-1:000000000000:q') },
    ]);
  });

  it('DynamoDB: the table and index; each transaction item its own action; a batch every table it names', () => {
    expect(
      callsOf(json('dynamodb', 'DynamoDB_20120810.Query', { TableName: 't', IndexName: 'byAge' }))[0],
    ).toMatchObject({
      action: 'dynamodb:Query',
      resource: arn('dynamodb:eu-west-1:000000000000:table/t/index/byAge'),
    });
    expect(
      callsOf(
        json('dynamodb', 'DynamoDB_20120810.TransactWriteItems', {
          TransactItems: [
            { Put: { TableName: 'a' } },
            { ConditionCheck: { TableName: 'b' } },
            { Delete: { TableName: 'a' } },
          ],
        }),
      ).map((call) => `${call.action} ${call.resource.split('/').pop()}`),
    ).toEqual(['dynamodb:PutItem a', 'dynamodb:ConditionCheckItem b', 'dynamodb:DeleteItem a']);
    expect(
      callsOf(json('dynamodb', 'DynamoDB_20120810.BatchWriteItem', { RequestItems: { a: [], b: [] } })).map(
        (c) => c.resource,
      ),
    ).toEqual([arn('dynamodb:eu-west-1:000000000000:table/a'), arn('dynamodb:eu-west-1:000000000000:table/b')]);
  });

  it('SSM and Secrets Manager: the parameter by name, the secret by name or ARN (one suffix stands for AWS’s random one)', () => {
    expect(callsOf(json('ssm', 'AmazonSSM.GetParameter', { Name: '/lb/local/x' }))[0]?.resource).toBe(
      arn('ssm:eu-west-1:000000000000:parameter/lb/local/x'),
    );
    expect(
      callsOf(json('secretsmanager', 'secretsmanager.GetSecretValue', { SecretId: 'engine/db' }))[0],
    ).toMatchObject({
      action: 'secretsmanager:GetSecretValue',
      resource: arn('secretsmanager:eu-west-1:000000000000:secret:engine/db-AbCdEf'),
    });
    expect(
      callsOf(
        json('secretsmanager', 'secretsmanager.GetSecretValue', {
          SecretId: arn('secretsmanager:eu-west-1:000000000000:secret:engine/db-x1Y2z3'),
        }),
      )[0]?.resource,
    ).toBe(arn('secretsmanager:eu-west-1:000000000000:secret:engine/db-AbCdEf'));
  });

  it('S3: object reads and writes, listings on the bucket, a copy reads its source, a multi-delete each key', () => {
    const s3 = (method: string, url: string, extra: Record<string, string> = {}, body?: string) =>
      callsOf({ method, url, headers: { ...signedBy(accessKeyIdOfFunction(FUNCTION), 's3'), ...extra }, body }).map(
        (call) => `${call.action} ${call.resource}`,
      );
    expect(s3('GET', '/rules/v%2F1.json')).toEqual(['s3:GetObject arn:aws:s3:::rules/v/1.json']);
    expect(s3('HEAD', '/rules/v1.json')).toEqual(['s3:GetObject arn:aws:s3:::rules/v1.json']);
    expect(s3('PUT', '/rules/v1.json?x-id=PutObject')).toEqual(['s3:PutObject arn:aws:s3:::rules/v1.json']);
    expect(s3('GET', '/rules?list-type=2&prefix=v')).toEqual(['s3:ListBucket arn:aws:s3:::rules']);
    expect(s3('PUT', '/rules/b', { 'x-amz-copy-source': '/rules/a' })).toEqual([
      's3:GetObject arn:aws:s3:::rules/a',
      's3:PutObject arn:aws:s3:::rules/b',
    ]);
    expect(
      s3('POST', '/rules?delete', {}, '<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>'),
    ).toEqual(['s3:DeleteObject arn:aws:s3:::rules/a', 's3:DeleteObject arn:aws:s3:::rules/b']);
  });

  it('a presigned URL is its signer’s call', () => {
    const key = accessKeyIdOfFunction(FUNCTION);
    const url = `/exports/e.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${key}%2F20261207%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=0`;
    expect(callsOf({ method: 'GET', url, headers: {} })).toEqual([
      { caller: FUNCTION, action: 's3:GetObject', resource: 'arn:aws:s3:::exports/e.csv' },
    ]);
  });
});

describe('the record of calls', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'iam-calls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps each distinct call once, across a restart, and starts anew when its file is deleted', () => {
    const file = path.join(dir, 'calls.jsonl');
    const call = { caller: FUNCTION, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:0:q' };
    const recorder = new CallRecorder(file);
    recorder.record([call, call]);
    recorder.record([call]);
    expect(readRecordedCalls(file)).toEqual([call]);
    new CallRecorder(file).record([call, { ...call, action: 'sqs:GetQueueUrl' }]);
    expect(readRecordedCalls(file)).toHaveLength(2);
    rmSync(file);
    recorder.record([call]);
    expect(readRecordedCalls(file)).toEqual([call]);
  });
});
