/**
 * The delivery ledger on DynamoDB Local, through the client factory the dispatcher uses: marks made by writers of the
 * same event at the same time all survive (each a set operation, none a whole entry written over another's).
 */
import { randomUUID } from 'node:crypto';
import { awsClientSettings, awsEnvironmentSchema, createDocumentClient, loadConfig } from '@backbone/shared';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDeliveryLedger, deliveriesTableName, type DeliveryLedger } from '../../contracts';

let documents: DynamoDBDocumentClient;
let ledger: DeliveryLedger;
const run = randomUUID().slice(0, 8);

beforeAll(() => {
  documents = createDocumentClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  ledger = createDynamoDbDeliveryLedger(documents, deliveriesTableName('local'));
});
afterAll(() => documents?.destroy());

it('keeps every mark of writers that change the same events at once', async () => {
  const ids = Array.from({ length: 150 }, (_, i) => `LoanApproved:${run}-${i}`);
  const platforms = Array.from({ length: 12 }, (_, i) => `platform-${i}`);
  // Twelve writers, each noting its own platform on all 150 events (two transactions each), all at once.
  await Promise.all(
    platforms.map((platform) => ledger.write(new Map(ids.map((id) => [id, { delivered: [platform] }])))),
  );
  const entries = await ledger.read(ids);
  expect(entries.size).toBe(ids.length);
  for (const id of ids) expect([...entries.get(id)!.delivered].sort()).toEqual([...platforms].sort());
});

it('starts and settles sends by platform, and a change written twice changes nothing more', async () => {
  const id = `RegistrationCompleted:${run}-sends`;
  await ledger.write(new Map([[id, { sending: ['ga4'] }]]));
  await ledger.write(new Map([[id, { sending: ['webhook-at-most-once'] }]]));
  expect((await ledger.read([id])).get(id)).toEqual({
    delivered: new Set(),
    sending: new Set(['ga4', 'webhook-at-most-once']),
  });
  const settled = new Map([[id, { delivered: ['ga4'], settled: ['ga4'] }]]);
  await ledger.write(settled);
  await ledger.write(settled);
  expect((await ledger.read([id])).get(id)).toEqual({
    delivered: new Set(['ga4']),
    sending: new Set(['webhook-at-most-once']),
  });
  await expect(ledger.write(new Map([[id, { sending: ['a'], settled: ['b'] }]]))).rejects.toThrow(
    /both starts and settles sends/,
  );
});
