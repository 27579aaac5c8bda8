/**
 * The contracts other teams read are current and valid: the generated JSON Schemas, AsyncAPI and OpenAPI documents
 * are what the zod schemas give now (a contract changed without `npm run contracts` fails here, so in CI), and each
 * document passes its specification's own validator.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { Validator } from '@seriousme/openapi-schema-validator';
import { generatedContracts, publishedContracts, staleContracts } from '../contracts';

const documents = [...generatedContracts()];

describe('the published contracts', () => {
  it('are generated for every service, and every generated document on disk is current', () => {
    expect(publishedContracts().map((p) => p.service)).toEqual([
      'device-ownership',
      'dlq-console',
      'marketing-events',
      'rules-ingestion',
      'snoop-scheduler',
    ]);
    expect(staleContracts()).toEqual([]);
  });

  it.each(documents.filter(([file]) => file.endsWith('asyncapi.json')))('%s is valid AsyncAPI 3.0', async (_, text) => {
    const { diagnostics } = await new Parser().parse(text);
    expect(diagnostics.filter((d) => Number(d.severity) === 0).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual(
      [],
    );
  });

  it.each(documents.filter(([file]) => file.endsWith('openapi.json')))('%s is valid OpenAPI 3.1', async (_, text) => {
    const result = await new Validator().validate(JSON.parse(text) as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('marks personal fields in the message schemas', () => {
    const approved = documents.find(([file]) => file.endsWith('LoanApproved.v1.schema.json'))![1];
    expect(JSON.parse(approved)).toMatchObject({
      properties: { data: { properties: { customer: { properties: { email: { 'x-personal': true } } } } } },
    });
  });
});

describe('the contract changelogs', () => {
  it.each(publishedContracts().map((p) => [p.service, p] as const))(
    '%s lists every version of every message it owns',
    (service, published) => {
      const changelog = readFileSync(
        path.join(__dirname, '..', '..', 'services', service, 'contracts', 'CHANGELOG.md'),
        'utf8',
      );
      const owned = published.queues.filter((q) => q.owner === service).flatMap((q) => q.messages);
      const missing = owned
        .filter((m) => !changelog.includes(`\`${m.type}\` v${m.version}`))
        .map((m) => `${m.type} v${m.version}`);
      expect(missing).toEqual([]);
    },
  );
});
