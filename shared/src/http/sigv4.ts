/**
 * Calling an AWS_IAM endpoint (API Gateway, execute-api) with a SigV4-signed request, as business users' tools,
 * the demo and the tests do. The signature is the AWS SDK's own (@smithy/signature-v4); the caller's identity is
 * whatever the credentials name, and API Gateway (locally, the local cloud's check) tells the function.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytesOf = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (HMAC-SHA256 with a secret) in the shape the signer takes, from Node's crypto. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export type SignedFetch = (
  url: string,
  init?: { method?: string; body?: string; headers?: Record<string, string> },
) => Promise<Response>;

/** fetch() that signs each request for `service` (API Gateway: execute-api) with these credentials. */
export function createSignedFetch(options: {
  credentials: SigV4Credentials;
  region: string;
  service?: string;
}): SignedFetch {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service ?? 'execute-api',
    sha256: NodeSha256,
  });
  return async (url, init = {}) => {
    const target = new URL(url);
    const method = init.method ?? 'GET';
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: {
        host: target.host,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body,
    });
    return fetch(url, { method, headers: signed.headers, body: init.body });
  };
}
