/**
 * A DynamoDB endpoint for bench:engine's capacity phase: BatchWriteItem calls on the results table are answered at
 * once (every item accepted, and counted), every other call goes on to the local cloud unchanged. DynamoDB Local
 * spends about 120 microseconds of CPU on an item, so on the real path it, not the engine, sets the pace, and an engine
 * that waits between its answers spends more CPU per evaluation than a busy one (a process whose event loop sleeps
 * wakes once per answer instead of handling many per wake). With this stand-in the engine is what is saturated, and
 * its CPU per evaluation is what a busy task costs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResultsSink {
  url: string;
  /** Items accepted so far (each checked to be a put of an item with the table's keys). */
  items(): number;
  close(): Promise<void>;
}

interface BatchWriteBody {
  RequestItems?: Record<string, { PutRequest?: { Item?: Record<string, unknown> } }[]>;
}

export async function startResultsSink(forwardTo: string, resultsTable: string): Promise<ResultsSink> {
  const upstream = new URL(forwardTo);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  let accepted = 0;

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      if (request.headers['x-amz-target'] === 'DynamoDB_20120810.BatchWriteItem') {
        const puts = (JSON.parse(body.toString('utf8')) as BatchWriteBody).RequestItems?.[resultsTable];
        if (puts) {
          const valid = puts.every((put) => put.PutRequest?.Item?.['customerId'] && put.PutRequest.Item['ruleId']);
          if (!valid || puts.length > 25) {
            response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
            response.end('{"__type":"ValidationException","message":"not a put of a result item, or over 25"}');
            return;
          }
          accepted += puts.length;
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          response.end('{"UnprocessedItems":{}}');
          return;
        }
      }
      // Anything else (the run fence, the rule sets): to the local cloud, headers as signed.
      const onward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      onward.on('error', (error) => {
        response.writeHead(502);
        response.end(error.message);
      });
      onward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    items: () => accepted,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
