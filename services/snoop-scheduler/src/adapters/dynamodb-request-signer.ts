/**
 * SigV4 for the one request the engine sends most: a DynamoDB JSON-protocol POST to "/". The engine signs one
 * request per 25 evaluations; the SDK's general signer (@smithy/signature-v4) normalises any request (query strings,
 * path escaping, unsignable headers) and derives or looks up its signing key through several HMACs on each call,
 * about 16 microseconds a request on this machine, against about 4 here. The output is the same: the unit test
 * checks every header against the SDK's signer for the same request, time and credentials.
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** 20261130T232900Z, as SigV4 writes a time. */
const amzDate = (at: Date): string =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * Signs DynamoDB POSTs for one region and host. The signing key depends only on the secret, the day, the region and
 * the service, so it is derived once a day (or when the credentials change) rather than on every request.
 */
export function createDynamoDbRequestSigner(options: { region: string; host: string; service?: string }) {
  const service = options.service ?? 'dynamodb';
  let cached: { secret: string; day: string; key: Buffer } | undefined;
  const signingKey = (secret: string, day: string): Buffer => {
    if (cached?.secret !== secret || cached.day !== day)
      cached = {
        secret,
        day,
        key: hmac(hmac(hmac(hmac(`AWS4${secret}`, day), options.region), service), 'aws4_request'),
      };
    return cached.key;
  };

  /** The headers to send with `body` (already encoded): content type, target, date, payload hash, authorization. */
  return (
    target: string,
    body: Buffer,
    credentials: SigningCredentials,
    at: Date = new Date(),
  ): Record<string, string> => {
    const time = amzDate(at);
    const day = time.slice(0, 8);
    const payloadHash = createHash('sha256').update(body).digest('hex');
    // Canonical headers: lower-case names in order, each "name:value".
    const headers: [string, string][] = [
      ['content-type', 'application/x-amz-json-1.0'],
      ['host', options.host],
      ['x-amz-content-sha256', payloadHash],
      ['x-amz-date', time],
      ...(credentials.sessionToken ? [['x-amz-security-token', credentials.sessionToken] as [string, string]] : []),
      ['x-amz-target', target],
    ];
    const signedHeaders = headers.map(([name]) => name).join(';');
    const canonicalRequest = `POST\n/\n\n${headers.map(([name, value]) => `${name}:${value}\n`).join('')}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${options.region}/${service}/aws4_request`;
    const stringToSign = `${ALGORITHM}\n${time}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day))
      .update(stringToSign)
      .digest('hex');
    return {
      ...Object.fromEntries(headers),
      authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
  };
}
