import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { invokeMigration, MIGRATION_FUNCTIONS } from './migrate';

const ROOT = path.resolve(__dirname, '..', '..');
const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };

it('names a migration function each owning service declares, packaged with its migrations', () => {
  for (const [service, fn] of Object.entries(MIGRATION_FUNCTIONS)) {
    const yml = readFileSync(path.join(ROOT, 'services', service, 'serverless.yml'), 'utf8');
    const declaration = yml.slice(yml.indexOf(`\n  ${fn}:\n`));
    expect({ service, declared: yml.includes(`\n  ${fn}:\n`) }).toEqual({ service, declared: true });
    expect({ service, packaged: /patterns: \['migrations\/\*\.[sc]ql'\]/.test(declaration.slice(0, 1200)) }).toEqual({
      service,
      packaged: true,
    });
  }
});

describe('invoking a migration function through Lambda’s Invoke API', () => {
  let server: Server;
  let endpoint = '';
  let answer: { status: number; headers?: Record<string, string>; body: string };
  const seen: Array<{ url?: string; authorization?: string }> = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization });
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const invoke = () =>
    invokeMigration(
      { endpoint, functionName: 'rules-ingestion-dev-migrateDatabase', region: 'eu-west-1', credentials },
      'rules-ingestion',
    );

  it('signs the call for Lambda and reads the report', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({ service: 'rules-ingestion', store: 'PostgreSQL', applied: ['1_a'], known: 3 }),
    };
    await expect(invoke()).resolves.toEqual({
      service: 'rules-ingestion',
      report: { service: 'rules-ingestion', store: 'PostgreSQL', applied: ['1_a'], known: 3 },
    });
    expect(seen.at(-1)?.url).toBe('/2015-03-31/functions/rules-ingestion-dev-migrateDatabase/invocations');
    expect(seen.at(-1)?.authorization).toMatch(/Credential=AKID\/\d{8}\/eu-west-1\/lambda\/aws4_request/);
  });

  it('reports a function that threw (Lambda answers 200 with its error) as a failure', async () => {
    answer = {
      status: 200,
      headers: { 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorType: 'MigrationError', errorMessage: 'relation "x" already exists' }),
    };
    await expect(invoke()).resolves.toEqual({
      service: 'rules-ingestion',
      error: 'MigrationError: relation "x" already exists',
    });
  });

  it('reports a refusal (no such function, no right to invoke it) with Lambda’s answer', async () => {
    answer = { status: 404, body: '{"Type":"User","message":"Function not found"}' };
    const outcome = await invoke();
    expect(outcome.error).toMatch(/^Lambda answered 404: .*Function not found/);
  });
});
