/** The console's three faces over an in-memory world of planted dead letters: its API, its command line. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RedriveRequested } from '../contracts';
import { main } from './cli';
import { createDeadLetterConsole } from './domain/console';
import { memoryRecords, world } from './domain/dead-letters.fixtures';
import { plantedDeadLetters } from './domain/planted.fixtures';
import type { RedriveRecord } from './domain/ports';
import { createConsoleApiHandler } from './functions/console-api/handler';

/** Every role but dlq:unmask. */
export const EVERY_OTHER_ROLE = ['dlq:read', 'dlq:redrive', 'dlq:export', 'dlq:purge', 'dlq:edit:*'];

export function plantedWorld() {
  const { letters, planted } = plantedDeadLetters();
  const w = world(letters);
  const records = new Map<string, RedriveRecord>();
  const jobs: RedriveRequested[] = [];
  const stores = {
    ...w.deps,
    records: memoryRecords(records),
    jobs: { enqueue: async (job: RedriveRequested) => void jobs.push(job) },
  };
  const console_ = createDeadLetterConsole(stores);
  const api = createConsoleApiHandler({
    console: console_,
    logger: { error: () => undefined, info: () => undefined, warn: () => undefined } as never,
    page: { signInUrl: 'https://sign.in', clientId: 'c' },
  });
  const call = async (
    method: string,
    path: string,
    options: { query?: Record<string, string>; body?: unknown; roles?: string[] } = {},
  ) => {
    const response = await api({
      httpMethod: method,
      path,
      queryStringParameters: options.query ?? null,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      headers: {},
      requestContext: {
        requestId: 'r',
        authorizer: {
          claims: {
            sub: 'sub-ops-1',
            email: 'ops@example.com',
            email_verified: 'true',
            'cognito:groups': (options.roles ?? EVERY_OTHER_ROLE).join(','),
          },
        },
      },
    } as unknown as APIGatewayProxyEvent);
    return { status: response.statusCode, text: response.body };
  };
  const cli = async (argv: string[], roles = EVERY_OTHER_ROLE) => {
    const lines: string[] = [];
    const before = {
      DLQ_ROLES: process.env['DLQ_ROLES'],
      DLQ_ACTOR: process.env['DLQ_ACTOR'],
      STAGE: process.env['STAGE'],
    };
    process.env['DLQ_ROLES'] = roles.join(',');
    process.env['DLQ_ACTOR'] = 'ops@example.com';
    process.env['STAGE'] = 'local';
    try {
      const code = await main(
        argv,
        (line) => lines.push(line),
        () => stores,
      );
      return { code, text: lines.join('\n') };
    } finally {
      for (const [name, value] of Object.entries(before))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  };
  return { letters, planted, call, cli, jobs, records };
}
