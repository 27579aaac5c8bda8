import { createHash, createHmac } from 'node:crypto';
import { createSignedFetch, NodeSha256 } from './sigv4';

/** AWS's own Signature Version 4 test suite (aws-sig-v4-test-suite): its example credentials, region and time. */
const EXAMPLE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  region: 'us-east-1',
  service: 'service',
};
const SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

/**
 * The signature by the specification's own steps (canonical request, string to sign, derived key), written here
 * independently of the signer: the AWS SDK's signer also signs x-amz-content-sha256, which the suite's cases leave out.
 */
function signatureBySpecification(canonicalQuery: string): string {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const emptyBody = sha256('');
  const canonicalRequest = [
    'GET',
    '/',
    canonicalQuery,
    'host:example.amazonaws.com',
    `x-amz-content-sha256:${emptyBody}`,
    'x-amz-date:20150830T123600Z',
    '',
    'host;x-amz-content-sha256;x-amz-date',
    emptyBody,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    '20150830T123600Z',
    SCOPE.slice('AKIDEXAMPLE/'.length),
    sha256(canonicalRequest),
  ];
  let key = hmac(`AWS4${EXAMPLE.credentials.secretAccessKey}`, '20150830');
  for (const part of ['us-east-1', 'service', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign.join('\n')).digest('hex');
}
const SIGNED_HEADERS = 'SignedHeaders=host;x-amz-content-sha256;x-amz-date';

describe('createSignedFetch', () => {
  let sent: { url: string; init: RequestInit }[];
  beforeEach(() => {
    sent = [];
    jest.useFakeTimers({ now: new Date('2015-08-30T12:36:00Z') });
    jest.spyOn(globalThis, 'fetch').mockImplementation(async (url, init) => {
      sent.push({ url: url instanceof Request ? url.url : url.toString(), init: init ?? {} });
      return new Response('{}', { status: 200 });
    });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it("signs the suite's get-vanilla case as the specification says", async () => {
    await createSignedFetch(EXAMPLE)('https://example.amazonaws.com/');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.init.method).toBe('GET');
    expect((sent[0]!.init.headers as Record<string, string>)['authorization']).toBe(
      `AWS4-HMAC-SHA256 Credential=${SCOPE}, ${SIGNED_HEADERS}, Signature=${signatureBySpecification('')}`,
    );
  });

  it("signs the query of the suite's get-vanilla-query-order-key-case in its canonical order", async () => {
    await createSignedFetch(EXAMPLE)('https://example.amazonaws.com/?Param2=value2&Param1=value1');
    expect(sent[0]!.url).toBe('https://example.amazonaws.com/?Param2=value2&Param1=value1');
    expect((sent[0]!.init.headers as Record<string, string>)['authorization']).toBe(
      `AWS4-HMAC-SHA256 Credential=${SCOPE}, ${SIGNED_HEADERS}, ` +
        `Signature=${signatureBySpecification('Param1=value1&Param2=value2')}`,
    );
  });

  it("sends a body as JSON, signed with its type, the port and the caller's own headers", async () => {
    await createSignedFetch({ ...EXAMPLE, credentials: { ...EXAMPLE.credentials, sessionToken: 'token-1' } })(
      'http://127.0.0.1:4566/snoops/a',
      { method: 'PUT', body: '{"a":1}', headers: { 'x-request-id': 'r-1' } },
    );
    const { init } = sent[0]!;
    const headers = init.headers as Record<string, string>;
    expect(init).toMatchObject({ method: 'PUT', body: '{"a":1}' });
    expect(headers).toMatchObject({
      host: '127.0.0.1:4566',
      'content-type': 'application/json',
      'x-request-id': 'r-1',
      'x-amz-security-token': 'token-1',
    });
    expect(headers['authorization']).toMatch(
      /SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-request-id, Signature=[0-9a-f]{64}$/,
    );
  });

  it('signs for execute-api unless told otherwise, and sends no content type without a body', async () => {
    await createSignedFetch({ credentials: EXAMPLE.credentials, region: 'eu-west-1' })('https://api.example/x');
    const headers = sent[0]!.init.headers as Record<string, string>;
    expect(headers['authorization']).toContain('/20150830/eu-west-1/execute-api/aws4_request');
    expect(headers['content-type']).toBeUndefined();
    expect(sent[0]!.init.body).toBeUndefined();
  });
});

describe('NodeSha256', () => {
  const hex = async (hash: NodeSha256) => Buffer.from(await hash.digest()).toString('hex');

  it('hashes text, bytes and views of bytes alike', async () => {
    const text = new NodeSha256();
    text.update('abc');
    const bytes = new NodeSha256();
    bytes.update(new TextEncoder().encode('abc').buffer);
    const view = new NodeSha256();
    view.update(new Uint8Array(Buffer.from('xabcx')).subarray(1, 4));
    const sha256OfAbc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await hex(text)).toBe(sha256OfAbc);
    expect(await hex(bytes)).toBe(sha256OfAbc);
    expect(await hex(view)).toBe(sha256OfAbc);
  });

  it('is an HMAC with a secret, given as text or bytes', async () => {
    const expected = createHmac('sha256', 'key').update('abc').digest('hex');
    const withText = new NodeSha256('key');
    withText.update('abc');
    const withBytes = new NodeSha256(new TextEncoder().encode('key'));
    withBytes.update('abc');
    expect(await hex(withText)).toBe(expected);
    expect(await hex(withBytes)).toBe(expected);
  });
});
