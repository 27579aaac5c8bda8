import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TransportError } from '../domain/outcome';
import { createHttpTransport } from './http-transport';

describe('createHttpTransport (against a real server on loopback)', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url?.startsWith('/slow')) return void setTimeout(() => response.end('late'), 500);
        // JSON named but not sent, JSON sent but not named, JSON named but broken.
        const odd: Record<string, [string, string]> = {
          '/empty-json': ['application/json', ''],
          '/text-json': ['text/plain', '{"a":1}'],
          '/bad-json': ['application/json; charset=utf-8', '{"a":'],
        };
        const shape = odd[request.url ?? ''];
        if (shape) return void response.writeHead(200, { 'content-type': shape[0] }).end(shape[1]);
        response.writeHead(request.url === '/json' ? 201 : 503, {
          'content-type': request.url === '/json' ? 'application/json' : 'text/plain',
        });
        response.end(
          request.url === '/json'
            ? JSON.stringify({ echoed: body, signature: request.headers['x-signature'] })
            : 'busy',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the body and headers, and parses a JSON answer', async () => {
    const answer = await createHttpTransport(1_000).post(`${base}/json`, '{"a":1}', { 'x-signature': 'sig' });
    expect(answer).toEqual({ status: 201, body: { echoed: '{"a":1}', signature: 'sig' } });
  });

  it('parses only what is named JSON and is there: empty and broken JSON, and JSON sent as text, stay text', async () => {
    const transport = createHttpTransport(1_000);
    expect(await transport.post(`${base}/empty-json`, '', {})).toEqual({ status: 200, body: '' });
    expect(await transport.post(`${base}/text-json`, '', {})).toEqual({ status: 200, body: '{"a":1}' });
    expect(await transport.post(`${base}/bad-json`, '', {})).toEqual({ status: 200, body: '{"a":' });
  });

  it('returns other answers as text, whatever the status', async () => {
    expect(await createHttpTransport(1_000).post(`${base}/busy`, '', {})).toEqual({ status: 503, body: 'busy' });
  });

  it('turns a missed deadline and a refused connection into TransportErrors naming only the host', async () => {
    const transport = createHttpTransport(100);
    const late = transport.post(`${base}/slow?api_secret=s3cret`, '', {});
    await expect(late).rejects.toThrow(`${new URL(base).host}: no answer within 100 ms (the request had been sent)`);
    // The server had the whole request: it may have acted on it.
    await expect(late).rejects.toMatchObject({ maybeDelivered: true });
    const refused = transport.post('http://127.0.0.1:9/x?api_secret=s3cret', '', {});
    await expect(refused).rejects.toBeInstanceOf(TransportError);
    await expect(refused).rejects.toThrow('127.0.0.1:9: ECONNREFUSED');
    // Nothing went out.
    await expect(refused).rejects.toMatchObject({ maybeDelivered: false });
  });

  it('says a request may have arrived when the connection breaks after it was sent', async () => {
    const hangUp = http.createServer((request) => request.on('end', () => request.socket.destroy()).resume());
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    try {
      const broken = createHttpTransport(1_000).post(
        `http://127.0.0.1:${(hangUp.address() as AddressInfo).port}/x`,
        '{}',
        {},
      );
      await expect(broken).rejects.toBeInstanceOf(TransportError);
      await expect(broken).rejects.toMatchObject({ maybeDelivered: true });
    } finally {
      await new Promise((resolve) => hangUp.close(resolve));
    }
  });
});
