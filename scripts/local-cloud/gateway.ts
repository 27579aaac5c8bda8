/**
 * One AWS endpoint (127.0.0.1:4566, like LocalStack) in front of three emulators (SQS, DynamoDB,
 * S3, Secrets Manager and SSM Parameter Store; CloudWatch Logs and Cognito for the operations commands' tests).
 * It also records every AWS call a function makes, for the IAM check (iam-calls.ts).
 *
 * Every AWS SDK request is signed with SigV4, and the signature's credential
 * scope names the service ("Credential=AKID/20261122/eu-west-1/sqs/aws4_request").
 * The gateway routes on that name and streams the request through unchanged; the
 * emulators do not verify signatures, so nothing needs re-signing.
 */
import http from 'node:http';
import { CallRecorder, callsOf, functionOf, IAM_CALLS_FILE, needsBody, signatureOf, type Signature } from './iam-calls';
import { HOST, PORTS } from './layout';

const BACKENDS: Record<string, number> = {
  sqs: PORTS.elasticmq,
  dynamodb: PORTS.dynamodb,
  s3: PORTS.moto,
  // moto serves every service it knows on one port; S3, Secrets Manager and SSM are routed to it.
  secretsmanager: PORTS.moto,
  ssm: PORTS.moto,
  // CloudWatch Logs: what `npm run logs` reads in AWS, so that its AWS path is tested here too.
  logs: PORTS.moto,
  // Cognito: the staff user pool `npm run staff` administers in AWS.
  'cognito-idp': PORTS.moto,
};

/** The service a request is for: its signature's (header or presigned URL), else its X-Amz-Target, else S3. */
export function serviceOf(
  request: Pick<http.IncomingMessage, 'headers' | 'url'>,
  signature = signatureOf({ headers: request.headers, url: request.url ?? '' }),
): string {
  if (signature) return signature.service;
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith('AmazonSQS')) return 'sqs';
    if (target.startsWith('DynamoDB')) return 'dynamodb';
    if (target.startsWith('secretsmanager')) return 'secretsmanager';
    if (target.startsWith('AmazonSSM')) return 'ssm';
    if (target.startsWith('Logs_')) return 'logs';
    if (target.startsWith('AWSCognitoIdentityProviderService')) return 'cognito-idp';
  }
  return 's3';
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Whether an emulator answers HTTP at all (any status), within half a second. */
const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = http.get({ host: HOST, port, path: '/', timeout: 500 }, (reply) => {
      reply.resume();
      resolve(true);
    });
    probe.on('timeout', () => probe.destroy());
    probe.on('error', () => resolve(false));
  });

/**
 * LocalStack's health answer (GET /_localstack/health), so that tools that ask it before they start
 * (serverless-localstack, awslocal, testcontainers' wait strategy) work against this local cloud unchanged: each
 * service "running" when its emulator answers, "error" when it does not.
 */
export async function localStackHealth(
  backends: Record<string, number> = BACKENDS,
  probe: (port: number) => Promise<boolean> = answers,
): Promise<{ services: Record<string, 'running' | 'error'>; edition: string; version: string }> {
  const ports = [...new Set(Object.values(backends))];
  const up = new Map(await Promise.all(ports.map(async (port) => [port, await probe(port)] as const)));
  return {
    services: Object.fromEntries(
      Object.entries(backends).map(([service, port]) => [service, up.get(port) ? 'running' : 'error']),
    ),
    edition: 'community',
    version: 'lending-backbone local cloud',
  };
}

// Every distinct AWS call a function made (scripts/local-cloud/iam-calls.ts), for the IAM check.
let recorder: CallRecorder | undefined;

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && (request.url ?? '').split('?')[0]?.replace(/\/$/, '') === '/_localstack/health') {
    void localStackHealth().then((health) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(health));
    });
    return;
  }
  const signed = { headers: request.headers, url: request.url ?? '/', method: request.method ?? 'GET' };
  // Read once: it routes the request and says whether a function made it.
  const signature = signatureOf(signed);
  const service = serviceOf(request, signature);
  const port = BACKENDS[service];
  if (port === undefined) {
    response.writeHead(501, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        message: `the local cloud emulates sqs, dynamodb, s3, secretsmanager, ssm, logs and cognito-idp; "${service}" is not available locally`,
      }),
    );
    return;
  }
  if (!functionOf(signature)) {
    request.pipe(forward(request, response, service, port));
    return;
  }
  if (needsBody(signed)) {
    // A function's call with a JSON body: read whole, to name the calls in it, then sent on as it came.
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      recordCalls(request, signature, body.toString('utf8'));
      forward(request, response, service, port).end(body);
    });
    return;
  }
  recordCalls(request, signature);
  request.pipe(forward(request, response, service, port));
});

function recordCalls(request: http.IncomingMessage, signature: Signature | undefined, body?: string): void {
  try {
    recorder ??= new CallRecorder(IAM_CALLS_FILE);
    recorder.record(
      callsOf({ method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body }, signature),
    );
  } catch (error) {
    // Recording is for the IAM check; a failure to record never fails the call itself.
    console.error(`could not record an AWS call for the IAM check: ${(error as Error).message}`);
  }
}

/** The request to the emulator, whose answer is streamed back to the caller. */
function forward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  service: string,
  port: number,
): http.ClientRequest {
  const upstream = http.request(
    { host: HOST, port, method: request.method, path: request.url, headers: request.headers, agent },
    (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: `${service} emulator on port ${port} is not answering: ${error.message}` }));
  });
  return upstream;
}

server.keepAliveTimeout = 65_000;

if (require.main === module) {
  server.listen(PORTS.gateway, HOST, () => {
    console.log(
      `AWS gateway on http://${HOST}:${PORTS.gateway} -> sqs:${PORTS.elasticmq} dynamodb:${PORTS.dynamodb} s3:${PORTS.moto}`,
    );
  });
  const shutdown = (): void => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
