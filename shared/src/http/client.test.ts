import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, HttpRequestError, type HttpClient } from './client';

/** A server on a loopback port of its own, answering as the test says; it counts connections and requests. */
async function serve(answer: (request: IncomingMessage, body: string, response: ServerResponse) => void) {
  const seen = {
    connections: 0,
    requests: [] as { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[],
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      answer(request, body, response);
    });
  });
  server.on('connection', () => seen.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    url: (path: string) => new URL(`http://127.0.0.1:${port}${path}`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('createHttpClient', () => {
  let client: HttpClient;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  beforeEach(() => (client = createHttpClient({ connections: 1 })));
  afterEach(async () => {
    await client.close();
    await server?.close();
    server = undefined;
  });

  it('posts the body and headers to the path and query, and answers status, type and text', async () => {
    server = await serve((_, body, response) => {
      response.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8' });
      response.write('{"echo":');
      response.end(`${JSON.stringify(body)},"é":"ü"}`);
    });
    const answer = await client.post(server.url('/events?x=1'), '{"a":1}', { 'x-test': 'yes' }, 2_000);
    expect(answer).toEqual({
      status: 202,
      contentType: 'application/json; charset=utf-8',
      text: '{"echo":"{\\"a\\":1}","é":"ü"}',
    });
    expect(server.seen.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/events?x=1',
        body: '{"a":1}',
        headers: expect.objectContaining({ 'x-test': 'yes' }),
      }),
    ]);
  });

  it('answers an empty type and body as empty text, and sends a Buffer as it is', async () => {
    server = await serve((_, __, response) => {
      response.writeHead(204);
      response.end();
    });
    expect(await client.post(server.url('/'), Buffer.from([0x7b, 0x7d]), {}, 2_000)).toEqual({
      status: 204,
      contentType: '',
      text: '',
    });
    expect(server.seen.requests[0]!.body).toBe('{}');
  });

  it('keeps a connection alive per origin: requests one after another share it', async () => {
    server = await serve((_, __, response) => response.end('ok'));
    for (let i = 0; i < 3; i++) await client.post(server.url(`/${i}`), 'x', {}, 2_000);
    expect(server.seen.connections).toBe(1);
    await client.close();
    // Closed, the client opens a new pool when asked again.
    await client.post(server.url('/again'), 'x', {}, 2_000);
    expect(server.seen.connections).toBe(2);
  });

  it('fails at the deadline of the whole exchange, saying the request had been sent', async () => {
    server = await serve(() => undefined);
    const failure = await client.post(server.url('/slow'), 'x', {}, 100).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpRequestError);
    expect(failure).toMatchObject({
      name: 'HttpRequestError',
      message: 'no answer within 100 ms (the request had been sent)',
      sent: true,
    });
  });

  it('fails with the network error, not sent, when nothing listens', async () => {
    server = await serve(() => undefined);
    const url = server.url('/');
    await server.close();
    server = undefined;
    const failure = await client.post(url, 'x', {}, 2_000).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'HttpRequestError', message: 'ECONNREFUSED', sent: false });
    expect((failure as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('fails, sent, when the connection is dropped after the request arrived', async () => {
    server = await serve((request) => request.socket.destroy());
    const failure = await client.post(server.url('/drop'), 'x', {}, 2_000).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'HttpRequestError', sent: true });
    // The message is the network error's code (undici's own for a socket closed under it).
    expect((failure as Error).message).toBe((failure as Error & { cause: { code: string } }).cause.code);
  });
});
