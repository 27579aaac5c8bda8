/**
 * npm run contracts: every service's published contracts as documents other teams and tools can read, generated
 * from the zod schemas (each service's `PUBLISHED`, @backbone/<name>/contracts) and written beside them in
 * `services/<name>/contracts/generated/`:
 *
 *   <Type>.v<N>.schema.json   a JSON Schema (2020-12) per message the service takes, its envelope included
 *   asyncapi.json             AsyncAPI 3.0: the queues it takes messages on and sends to
 *   openapi.json              OpenAPI 3.1: its HTTP API, when it has one
 *
 *   npm run contracts               write them
 *   npm run contracts -- --check    exit 1, naming each, if any is missing, stale or left over (the tests do this)
 *
 * Fields a contract marks personal carry `x-personal: true`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  envelopeSchema,
  type AnyMessageContract,
  type HttpOperation,
  type PublishedContracts,
  type PublishedQueue,
} from '@backbone/shared';
import { z } from 'zod';

const ROOT = path.resolve(__dirname, '..');
type Json = Record<string, unknown>;

/** Each service that publishes contracts, found by folder (scripts never name a service). */
export function publishedContracts(): PublishedContracts[] {
  const found: PublishedContracts[] = [];
  for (const name of readdirSync(path.join(ROOT, 'services')).sort()) {
    if (!existsSync(path.join(ROOT, 'services', name, 'contracts', 'index.ts'))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- contracts are found at run time, by folder
    const published = (require(`@backbone/${name}/contracts`) as { PUBLISHED?: PublishedContracts }).PUBLISHED;
    if (!published) throw new Error(`services/${name}/contracts/index.ts must export PUBLISHED (a PublishedContracts)`);
    found.push(published);
  }
  return found;
}

/** A zod schema as JSON Schema, with the personal-data mark as an extension keyword and no dialect noise. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (!value || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$schema') continue;
      out[key === 'personal' ? 'x-personal' : key] = walk(inner);
    }
    return out;
  };
  return walk(converted) as Json;
}

const messageKey = (contract: AnyMessageContract): string => `${contract.type}V${contract.version}`;

/** A message as it travels: the envelope, its type and version fixed, its data the contract's. */
function messageSchema(contract: AnyMessageContract): Json {
  const envelope = envelopeSchema.extend({
    type: z.literal(contract.type),
    version: z.literal(contract.version),
    data: contract.schema,
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${contract.type}.v${contract.version}.schema.json`,
    title: `${contract.type} v${contract.version}`,
    ...jsonSchema(envelope, 'input'),
  };
}

const channelKey = (queue: PublishedQueue): string => queue.name.replace(/\.fifo$/, '-fifo');

function asyncApi(published: PublishedContracts): Json {
  const channels: Json = {};
  const operations: Json = {};
  const messages: Json = {};
  for (const queue of published.queues) {
    const key = channelKey(queue);
    channels[key] = {
      address: `${queue.owner}-{stage}-${queue.name}`,
      title: queue.name,
      description: `${queue.summary}${queue.owner === published.service ? '' : ` (${queue.owner}'s queue)`}`,
      parameters: { stage: { description: 'The deployment stage (dev, prod, local).' } },
      bindings: {
        sqs: { queue: { name: `${queue.owner}-{stage}-${queue.name}`, fifoQueue: queue.name.endsWith('.fifo') } },
      },
      messages: Object.fromEntries(
        queue.messages.map((m) => [messageKey(m), { $ref: `#/components/messages/${messageKey(m)}` }]),
      ),
    };
    operations[`${queue.action}${key.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`] = {
      action: queue.action,
      channel: { $ref: `#/channels/${key}` },
      messages: queue.messages.map((m) => ({ $ref: `#/channels/${key}/messages/${messageKey(m)}` })),
    };
    for (const message of queue.messages) {
      messages[messageKey(message)] = {
        name: message.type,
        title: `${message.type} v${message.version}`,
        contentType: 'application/json',
        payload: messageSchema(message),
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: { title: published.service, version: '1.0.0', description: published.summary },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

const SECURITY_SCHEMES: Record<HttpOperation['security'], [string, Json] | undefined> = {
  'aws-iam': [
    'awsSigV4',
    {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'An AWS Signature Version 4 signature (API Gateway AWS_IAM authorisation).',
    },
  ],
  cognito: [
    'cognitoIdToken',
    { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "An ID token of the company's user pool." },
  ],
  'bearer-secret': ['refreshSecret', { type: 'http', scheme: 'bearer', description: 'The shared refresh secret.' }],
  none: undefined,
};

function openApi(published: PublishedContracts): Json | undefined {
  if (!published.http) return undefined;
  const paths: Record<string, Json> = {};
  const schemes: Json = {};
  for (const operation of published.http.operations) {
    const scheme = SECURITY_SCHEMES[operation.security];
    if (scheme) schemes[scheme[0]] = scheme[1];
    const pathParameters = [...operation.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const queryParameters = Object.entries(operation.query ?? {}).map(([name, description]) => ({
      name,
      in: 'query',
      required: false,
      description,
      schema: { type: 'string' },
    }));
    const parameters = [...pathParameters, ...queryParameters];
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method]: {
        summary: operation.summary,
        ...(scheme ? { security: [{ [scheme[0]]: [] }] } : {}),
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(operation.request
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(operation.request, 'input') } },
              },
            }
          : {}),
        responses: Object.fromEntries(
          Object.entries(operation.responses).map(([status, response]) => [
            status,
            {
              description: response.description,
              ...(response.schema
                ? { content: { 'application/json': { schema: jsonSchema(response.schema, 'output') } } }
                : {}),
            },
          ]),
        ),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: published.http.title,
      version: published.http.version ?? '1.0.0',
      description: published.http.summary,
    },
    paths,
    ...(Object.keys(schemes).length > 0 ? { components: { securitySchemes: schemes } } : {}),
  };
}

const text = (document: unknown): string => `${JSON.stringify(document, null, 2)}\n`;

/** Every generated file, by path from the repository's root, with its content. */
export function generatedContracts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const published of publishedContracts()) {
    const dir = path.join('services', published.service, 'contracts', 'generated');
    for (const queue of published.queues.filter((q) => q.owner === published.service))
      for (const message of queue.messages)
        files.set(path.join(dir, `${message.type}.v${message.version}.schema.json`), text(messageSchema(message)));
    files.set(path.join(dir, 'asyncapi.json'), text(asyncApi(published)));
    const api = openApi(published);
    if (api) files.set(path.join(dir, 'openapi.json'), text(api));
  }
  return files;
}

/** The generated folders' files on disk now. */
function filesOnDisk(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(path.join(ROOT, 'services'))) {
    const dir = path.join('services', name, 'contracts', 'generated');
    if (!existsSync(path.join(ROOT, dir))) continue;
    for (const file of readdirSync(path.join(ROOT, dir)))
      files.set(path.join(dir, file), readFileSync(path.join(ROOT, dir, file), 'utf8'));
  }
  return files;
}

/** What differs between the generated files and the disk: each file missing, stale or left over. */
export function staleContracts(): string[] {
  const wanted = generatedContracts();
  const present = filesOnDisk();
  return [
    ...[...wanted].filter(([file]) => !present.has(file)).map(([file]) => `${file}: missing`),
    ...[...wanted]
      .filter(([file, content]) => present.has(file) && present.get(file) !== content)
      .map(([file]) => `${file}: stale`),
    ...[...present.keys()].filter((file) => !wanted.has(file)).map((file) => `${file}: no longer generated`),
  ];
}

function main(): void {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
  if (values.check) {
    const stale = staleContracts();
    if (stale.length === 0) {
      console.log('contracts: every generated document is current');
      return;
    }
    console.error(`contracts: ${stale.length} generated document(s) out of date:\n  ${stale.join('\n  ')}`);
    console.error('Run "npm run contracts" and commit what it writes.');
    process.exitCode = 1;
    return;
  }
  for (const file of filesOnDisk().keys()) rmSync(path.join(ROOT, file));
  const files = generatedContracts();
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
    writeFileSync(path.join(ROOT, file), content);
  }
  console.log(`contracts: wrote ${files.size} documents`);
}

if (require.main === module) main();
