/**
 * AWS_IAM authorisation for serverless-offline, which otherwise lets any request through an endpoint that is
 * `authorizer: aws_iam` in AWS. Loaded by serverless-offline as its custom authentication provider
 * (serverless.common.yml, `offline.customAuthenticationProvider`) for every HTTP endpoint of a service:
 *
 * - an AWS_IAM endpoint refuses, with 403 and what to do, a request that is unsigned, signed with another secret
 *   than the local one, or signed more than 15 minutes ago; it accepts a request signed as API Gateway requires
 *   (SigV4, service execute-api), recomputing the signature with the AWS SDK's own signer;
 * - the caller's identity comes from the signature, as API Gateway reports it to the function:
 *   requestContext.identity.userArn = arn:aws:iam::000000000000:user/<access key id>
 *   (our serverless-offline patch copies it into the event);
 * - endpoints with no authoriser are left alone.
 *
 * CommonJS, because serverless-offline loads it with require() in the framework's own process.
 */
const { createHash, createHmac, timingSafeEqual } = require('node:crypto');
const Boom = require('@hapi/boom');
const { SignatureV4 } = require('@smithy/signature-v4');

const LOCAL_ACCOUNT_ID = '000000000000';
const MAX_SKEW_MS = 15 * 60_000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** The local credentials' secret: what every local tool signs with (AWS_SECRET_ACCESS_KEY of the local cloud). */
const localSecret = () => process.env.AWS_SECRET_ACCESS_KEY || 'test';

const refuse = (why) =>
  Boom.forbidden(
    `${why}. This endpoint is AWS_IAM: sign the request with SigV4 (service execute-api) using the local ` +
      `credentials (any access key id, secret access key "${localSecret()}"), as the AWS SDK, awscurl or ` +
      `createSignedFetch from @backbone/shared do.`,
  );

class NodeSha256 {
  constructor(secret) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data) {
    this.hash.update(
      typeof data === 'string' ? data : Buffer.from(data.buffer ?? data, data.byteOffset, data.byteLength),
    );
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

/** 20261130T101500Z -> Date */
function amzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

/** Checks the request's signature; returns the caller's identity, or throws a 403 that says what to do. */
async function verify(raw, body) {
  const header = raw.headers.authorization;
  if (!header) throw refuse('the request is not signed');
  const match = AUTHORIZATION.exec(header);
  if (!match) throw refuse('the Authorization header is not a SigV4 signature');
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = match;
  if (service !== 'execute-api') throw refuse(`the request is signed for "${service}", not "execute-api"`);
  const signedAt = amzDate(raw.headers['x-amz-date']);
  if (!signedAt || signedAt.toISOString().slice(0, 10).replaceAll('-', '') !== day)
    throw refuse('the request has no X-Amz-Date matching its credential scope');
  if (Math.abs(Date.now() - signedAt.getTime()) > MAX_SKEW_MS)
    throw refuse(`the request was signed at ${signedAt.toISOString()}, more than 15 minutes from now`);
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) throw refuse('the signature must cover the Host header');
  const headers = {};
  for (const name of signedHeaders) {
    const value = raw.headers[name];
    if (value === undefined) throw refuse(`the signed header "${name}" is missing from the request`);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const url = new URL(raw.url, 'http://localhost');
  const query = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [].concat(previous, value);
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: localSecret(), sessionToken: headers['x-amz-security-token'] },
    region,
    service,
    sha256: NodeSha256,
  });
  const expected = await signer.sign(
    {
      method: raw.method.toUpperCase(),
      protocol: 'http:',
      hostname: 'localhost',
      path: url.pathname,
      query,
      headers,
      body,
    },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders) },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(expected.headers.authorization)[1];
  if (!timingSafeEqual(Buffer.from(recomputed, 'hex'), Buffer.from(signature, 'hex')))
    throw refuse('the signature does not match: the request was signed with another secret, or changed after signing');
  return {
    accessKey: accessKeyId,
    accountId: LOCAL_ACCOUNT_ID,
    caller: accessKeyId,
    user: accessKeyId,
    userArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/${accessKeyId}`,
  };
}

const isAwsIam = (authorizer) =>
  typeof authorizer === 'string'
    ? authorizer.toUpperCase() === 'AWS_IAM'
    : String(authorizer?.type ?? '').toUpperCase() === 'AWS_IAM';

module.exports = function sigv4AuthenticationProvider(endpoint, functionKey, method, path) {
  const name = `local-sigv4-${functionKey}-${method}-${path}`;
  const iam = isAwsIam(endpoint.authorizer);
  const bodiless = ['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(String(method).toUpperCase());
  return {
    name,
    scheme: name,
    getAuthenticateFunction: () => ({
      // The signature covers the body, which is read after authentication: requests with a body are checked
      // in payload(); requests without one here.
      async authenticate(request, h) {
        if (!iam) return h.authenticated({ credentials: {} });
        const identity = bodiless ? await verify(request.raw.req, '') : undefined;
        return h.authenticated({ credentials: { identity } });
      },
      async payload(request, h) {
        if (!iam || bodiless) return h.continue;
        const body = Buffer.isBuffer(request.payload) ? request.payload : Buffer.from(request.payload ?? '');
        request.auth.credentials.identity = await verify(request.raw.req, body);
        return h.continue;
      },
      options: { payload: true },
    }),
  };
};
