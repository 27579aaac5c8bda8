/**
 * npm run bench:http: the CPU a request costs the caller with each HTTP client the services could use, against one
 * loopback server that answers at once (so the client is what is measured): node:http with a kept-alive agent, and
 * undici's Pool. Two body sizes: a marketing platform's batch (about 1 KB) and the engine's BatchWriteItem (11 KB).
 * Interleaved rounds, median per client; the last line is one JSON object.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatTable } from '@backbone/shared/local';
import { Pool } from 'undici';

const REQUESTS = Number(process.env.BENCH_HTTP_REQUESTS ?? 20_000);
const IN_FLIGHT = 8;
const ROUNDS = 5;

type Client = { name: string; post(body: string): Promise<number>; close(): Promise<void> };

function nodeHttp(port: number): Client {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  return {
    name: 'node:http (keep-alive agent)',
    post: (body) =>
      new Promise((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/',
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              Buffer.concat(chunks).toString('utf8');
              resolve(response.statusCode ?? 0);
            });
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(body);
      }),
    close: async () => agent.destroy(),
  };
}

function undiciPool(port: number): Client {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: IN_FLIGHT });
  return {
    name: 'undici Pool',
    async post(body) {
      const response = await pool.request({
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await response.body.text();
      return response.statusCode;
    },
    close: () => pool.close(),
  };
}

/** CPU microseconds per request of this process (the server runs in a child, so only the client counts). */
async function measure(client: Client, body: string): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < REQUESTS) if ((await client.post(body)) !== 200) throw new Error('the server did not answer 200');
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / REQUESTS;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  // The server in a child process, so that its CPU is not the client's.
  const { fork } = await import('node:child_process');
  const server = fork(__filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => server.once('message', (p) => resolve(p as number)));
  const sizes = { '1 KB': 'x'.repeat(1_000), '11 KB': 'x'.repeat(11_000) };
  const figures: Record<string, Record<string, number>> = {};
  try {
    for (const [size, raw] of Object.entries(sizes)) {
      const body = JSON.stringify({ payload: raw });
      const clients = [nodeHttp(port), undiciPool(port)];
      for (const client of clients) await measure(client, body); // warm-up: connections open, code compiled
      const runs: Record<string, number[]> = {};
      for (let round = 0; round < ROUNDS; round++)
        for (const client of clients) (runs[client.name] ??= []).push(await measure(client, body));
      for (const client of clients) {
        (figures[size] ??= {})[client.name] = median(runs[client.name]!);
        await client.close();
      }
    }
  } finally {
    server.kill();
  }
  const rows = Object.entries(figures).map(([size, byClient]) => {
    const [nodeUs, undiciUs] = [byClient['node:http (keep-alive agent)']!, byClient['undici Pool']!];
    return [size, nodeUs.toFixed(1), undiciUs.toFixed(1), (undiciUs / nodeUs).toFixed(2)];
  });
  console.log(`CPU per request, microseconds (median of ${ROUNDS} rounds of ${REQUESTS}, ${IN_FLIGHT} in flight):`);
  for (const line of formatTable([['body', 'node:http', 'undici', 'undici / node:http'], ...rows], '  '))
    console.log(line);
  console.log(
    JSON.stringify({
      requests: REQUESTS,
      node_http_us_1kb: Number(rows[0]![1]),
      undici_us_1kb: Number(rows[0]![2]),
      node_http_us_11kb: Number(rows[1]![1]),
      undici_us_11kb: Number(rows[1]![2]),
    }),
  );
}

if (process.argv.includes('--serve')) {
  const answer = JSON.stringify({ events_received: 1, messages: [] });
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
      response.end(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
