import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { withoutTracing, xrayTracer } from './tracing';

interface SentSegment {
  name: string;
  trace_id: string;
  parent_id?: string;
  http?: { response?: { status?: number } };
  subsegments?: Array<{ name: string; fault?: boolean; error?: boolean }>;
}

/** A stand-in X-Ray daemon: what the SDK sends over UDP (a header line, then the segment's JSON). */
async function daemon(): Promise<{ address: string; next: () => Promise<SentSegment>; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  const received: SentSegment[] = [];
  const waiting: Array<(segment: SentSegment) => void> = [];
  socket.on('message', (message) => {
    const segment = JSON.parse(message.toString('utf8').split('\n')[1]!) as SentSegment;
    const waiter = waiting.shift();
    if (waiter) waiter(segment);
    else received.push(segment);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    next: () =>
      received.length > 0 ? Promise.resolve(received.shift()!) : new Promise((resolve) => waiting.push(resolve)),
    close: () => socket.close(),
  };
}

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

it('sends a segment per request, in the caller’s trace, with a subsegment per step and the answer’s status', async () => {
  const xray = await daemon();
  const tracer = xrayTracer({ name: 'snoop-scheduler-engine', daemonAddress: xray.address, sampleEverything: true });
  const server = http.createServer((request, response) => {
    void tracer.request(request, response, async () => {
      await tracer.step('customer store', async () => undefined);
      await tracer.step('results write', () => Promise.reject(new Error('throttled'))).catch(() => undefined);
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/evaluate`, {
      method: 'POST',
      headers: { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` },
    });
    expect(answer.status).toBe(200);
    const segment = await xray.next();
    expect(segment).toMatchObject({
      name: 'snoop-scheduler-engine',
      trace_id: ROOT,
      parent_id: PARENT,
      http: { response: { status: 200 } },
    });
    expect(segment.subsegments?.map((s) => [s.name, Boolean(s.fault || s.error)])).toEqual([
      ['customer store', false],
      ['results write', true],
    ]);
  } finally {
    server.close();
    xray.close();
  }
});

it('does nothing without tracing, and a step outside a traced request runs as it is', async () => {
  await expect(withoutTracing.step('customer store', async () => 7)).resolves.toBe(7);
  const tracer = xrayTracer({ name: 'engine', daemonAddress: '127.0.0.1:9', sampleEverything: true });
  await expect(tracer.step('customer store', async () => 8)).resolves.toBe(8);
});
