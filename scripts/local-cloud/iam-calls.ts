/**
 * What the gateway records of every AWS call a function makes locally, so that the IAM check
 * (scripts/testing/iam-policies.int.test.ts) can hold each call against that function's own packaged policy.
 *
 * A call is named as IAM names it: the action IAM evaluates (`dynamodb:PutItem`, `s3:GetObject`) and the resource's
 * ARN, read from the request as AWS reads it (the queue URL, the table and index, the bucket and key, the secret or
 * parameter name). One request may be several calls: a DynamoDB transaction needs each item's own action on its table,
 * a batch needs the batch action on every table it names, an S3 copy reads one object and writes another.
 *
 * Locally each function signs with an access key id of its own that spells its Lambda name (scripts/serverless/
 * offline-caller-identity.cjs): that is the caller recorded. Requests signed by anything else (scripts, tests, the
 * SQS poller standing in for Lambda's event source mapping) are not recorded.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLOUD_DIR } from './layout';

/** Every distinct AWS call a function made since the integration suite's set-up (or the gateway's first start). */
export const IAM_CALLS_FILE = path.join(CLOUD_DIR, 'iam-calls.jsonl');

export interface RecordedCall {
  caller: string;
  action: string;
  resource: string;
}

export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\/([a-z0-9-]+)\/aws4_request/;
const PRESIGNED_CREDENTIAL = /[?&]X-Amz-Credential=([^&%]+)%2F\d{8}%2F([^%&]+)%2F([a-z0-9-]+)%2F/i;

/** The signer's access key id, region and service, from the Authorization header or a presigned URL. */
export function signatureOf(
  request: Pick<SignedRequest, 'headers' | 'url'>,
): { accessKeyId: string; region: string; service: string } | undefined {
  const authorization = request.headers.authorization;
  const found =
    (typeof authorization === 'string' ? CREDENTIAL.exec(authorization) : null) ??
    PRESIGNED_CREDENTIAL.exec(request.url);
  if (!found?.[1] || !found[2] || !found[3]) return undefined;
  return { accessKeyId: decodeURIComponent(found[1]), region: found[2], service: found[3] };
}

/**
 * A function's local access key id: a prefix and its Lambda name in hexadecimal, because DynamoDB Local (from 2.0)
 * accepts only letters and digits in an access key id. scripts/serverless/offline-caller-identity.cjs makes them.
 */
const FUNCTION_KEY_PREFIX = 'LOCALFN';

export function functionOfAccessKeyId(accessKeyId: string): string | undefined {
  const hex = accessKeyId.startsWith(FUNCTION_KEY_PREFIX) ? accessKeyId.slice(FUNCTION_KEY_PREFIX.length) : '';
  return hex !== '' && /^([0-9A-F]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
}

/** The local cloud's account (scripts/local-cloud/environment.ts); ARNs are built in it. */
const ACCOUNT = '000000000000';

const queueArn = (region: string, queueUrlOrName: string): string =>
  `arn:aws:sqs:${region}:${ACCOUNT}:${queueUrlOrName.split('/').pop() ?? queueUrlOrName}`;
const tableArn = (region: string, table: string, index?: string): string =>
  `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}${index ? `/index/${index}` : ''}`;
const parameterArn = (region: string, name: string): string =>
  `arn:aws:ssm:${region}:${ACCOUNT}:parameter/${name.replace(/^\//, '')}`;
// AWS adds six random characters to a secret's name in its ARN; policies match them with "-??????".
// A fixed stand-in for those, on both sides of the comparison (scripts/deploy/iam-policies.ts, secretArnOf).
const secretArn = (region: string, id: string): string =>
  id.startsWith('arn:')
    ? id.replace(/-[A-Za-z0-9]{6}$/, '-AbCdEf')
    : `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${id}-AbCdEf`;

type Json = Record<string, unknown>;
const parse = (body: string | undefined): Json => {
  try {
    const value: unknown = JSON.parse(body ?? '{}');
    return value !== null && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
};
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** A DynamoDB transaction's items: each needs its own action on its own table. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function dynamoDbCalls(operation: string, body: Json, region: string): Array<Omit<RecordedCall, 'caller'>> {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Json[]) : [];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, detail]) => ({
        action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
        resource: tableArn(region, text((detail as Json).TableName)),
      })),
    );
  }
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const tables = Object.keys((body.RequestItems as Json | undefined) ?? {});
    return tables.map((table) => ({ action: `dynamodb:${operation}`, resource: tableArn(region, table) }));
  }
  if (operation === 'ListTables') return [{ action: 'dynamodb:ListTables', resource: '*' }];
  return [
    {
      action: `dynamodb:${operation}`,
      resource: tableArn(region, text(body.TableName), text(body.IndexName) || undefined),
    },
  ];
}

function sqsCalls(operation: string, body: Json, region: string): Array<Omit<RecordedCall, 'caller'>> {
  if (operation === 'ListQueues') return [{ action: 'sqs:ListQueues', resource: '*' }];
  if (operation === 'GetQueueUrl')
    return [{ action: 'sqs:GetQueueUrl', resource: queueArn(region, text(body.QueueName)) }];
  // A message move task names its queues by ARN.
  if (operation === 'StartMessageMoveTask' || operation === 'ListMessageMoveTasks')
    return [{ action: `sqs:${operation}`, resource: text(body.SourceArn) }];
  if (operation === 'CancelMessageMoveTask') return [{ action: 'sqs:CancelMessageMoveTask', resource: '*' }];
  // The batch forms are authorised as their single forms.
  const action = operation.replace(/Batch$/, '');
  return [{ action: `sqs:${action}`, resource: queueArn(region, text(body.QueueUrl)) }];
}

function ssmCalls(operation: string, body: Json, region: string): Array<Omit<RecordedCall, 'caller'>> {
  if (operation === 'GetParameters')
    return (Array.isArray(body.Names) ? (body.Names as string[]) : []).map((name) => ({
      action: 'ssm:GetParameters',
      resource: parameterArn(region, name),
    }));
  return [{ action: `ssm:${operation}`, resource: parameterArn(region, text(body.Name) || text(body.Path)) }];
}

/** S3's REST API, path style (the local endpoint is an address, so the SDK uses paths): method, bucket, key, query. */
function s3Calls(request: SignedRequest): Array<Omit<RecordedCall, 'caller'>> {
  const url = new URL(request.url, 'http://local');
  const [bucket = '', ...keyParts] = url.pathname.replace(/^\//, '').split('/');
  const key = decodeURIComponent(keyParts.join('/'));
  const query = url.searchParams;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key}`;
  const method = request.method.toUpperCase();
  if (!bucket) return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  if (!key) {
    if (method === 'POST' && query.has('delete'))
      return [...(request.body ?? '').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => ({
        action: 's3:DeleteObject',
        resource: `${bucketArn}/${match[1] ?? ''}`,
      }));
    if (method === 'GET' && query.has('versions')) return [{ action: 's3:ListBucketVersions', resource: bucketArn }];
    if (method === 'GET' && query.has('uploads'))
      return [{ action: 's3:ListBucketMultipartUploads', resource: bucketArn }];
    if (method === 'GET' || method === 'HEAD') return [{ action: 's3:ListBucket', resource: bucketArn }];
    if (method === 'PUT') return [{ action: 's3:CreateBucket', resource: bucketArn }];
    if (method === 'DELETE') return [{ action: 's3:DeleteBucket', resource: bucketArn }];
  }
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('uploadId')) return [{ action: 's3:ListMultipartUploadParts', resource: objectArn }];
    return [{ action: query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn }];
  }
  if (method === 'PUT' || method === 'POST') {
    const copySource = request.headers['x-amz-copy-source'];
    const reads =
      typeof copySource === 'string'
        ? [{ action: 's3:GetObject', resource: `arn:aws:s3:::${decodeURIComponent(copySource).replace(/^\//, '')}` }]
        : [];
    return [...reads, { action: 's3:PutObject', resource: objectArn }];
  }
  if (method === 'DELETE')
    return [{ action: query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resource: objectArn }];
  return [{ action: `s3:Unrecognised(${method} ${url.search})`, resource: objectArn }];
}

export type Signature = NonNullable<ReturnType<typeof signatureOf>>;

/** The function that signed a request, if a function did (only their calls are recorded, their bodies read). */
export const functionOf = (signature: Signature | undefined): string | undefined =>
  signature ? functionOfAccessKeyId(signature.accessKeyId) : undefined;

/** Each service's calls from its operation (or, for S3, its method and path), body and region. */
const CALLS_BY_SERVICE: Record<
  string,
  (operation: string, body: Json, region: string, request: SignedRequest) => Array<Omit<RecordedCall, 'caller'>>
> = {
  s3: (_operation, _body, _region, request) => s3Calls(request),
  sqs: (operation, body, region) => sqsCalls(operation || text(body.Action), body, region),
  dynamodb: dynamoDbCalls,
  ssm: ssmCalls,
  secretsmanager: (operation, body, region) => [
    { action: `secretsmanager:${operation}`, resource: secretArn(region, text(body.SecretId)) },
  ],
};

/**
 * The calls one request makes, as IAM would authorise them; none for a request the gateway cannot attribute
 * (unsigned, or signed by a caller that is not a function). `signature`: the request's, when already read.
 */
export function callsOf(request: SignedRequest, signature = signatureOf(request)): RecordedCall[] {
  const caller = functionOf(signature);
  if (!signature || !caller) return [];
  const target = request.headers['x-amz-target'];
  const operation = typeof target === 'string' ? (target.split('.').pop() ?? '') : '';
  // JSON protocols name the operation in a header; SQS's older query protocol in a form field.
  const body =
    typeof target === 'string' ? parse(request.body) : Object.fromEntries(new URLSearchParams(request.body ?? ''));
  const { region, service } = signature;
  const named = CALLS_BY_SERVICE[service];
  const calls = named
    ? named(operation, body, region, request)
    : [{ action: `${service}:${operation || request.method}`, resource: '*' }];
  return calls.map((call) => ({ caller, ...call }));
}

/** Whether the gateway must read a request's body to name its calls (JSON protocols, S3's multi-object delete). */
export const needsBody = (request: Pick<SignedRequest, 'headers' | 'url' | 'method'>): boolean =>
  typeof request.headers['x-amz-target'] === 'string' ||
  (request.method.toUpperCase() === 'POST' && /[?&]delete(=|&|$)/.test(request.url)) ||
  String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * The distinct calls seen, kept in a JSON-lines file (one line the first time a call is seen), so that they outlive
 * a restart of the gateway (the faults test stops it) and can be read by the IAM check in another process. Deleting
 * the file starts a new record (the integration suite's set-up does, so the check sees that run's calls only).
 */
export class CallRecorder {
  private readonly seen = new Set<string>();

  constructor(private readonly file: string) {
    for (const call of readRecordedCalls(file)) this.seen.add(JSON.stringify(call));
  }

  record(calls: RecordedCall[]): void {
    if (calls.length === 0) return;
    if (!existsSync(this.file)) this.seen.clear();
    const fresh = [...new Set(calls.map((call) => JSON.stringify(call)))].filter((line) => !this.seen.has(line));
    if (fresh.length === 0) return;
    for (const line of fresh) this.seen.add(line);
    mkdirSync(path.dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${fresh.join('\n')}\n`);
  }
}

export function readRecordedCalls(file: string): RecordedCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCall);
}
