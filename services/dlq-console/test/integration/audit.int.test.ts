/**
 * The audit trail read back from DynamoDB Local as the console reads it: "the last day" is the 24 hours before now,
 * so a minute after midnight it still shows the minute before (the entries sit in one partition per UTC day).
 */
import { randomUUID } from 'node:crypto';
import { awsClientSettings, createDocumentClient } from '@backbone/shared';
import { localConsoleEnvironment, openConsoleStores } from '../../local';
import { auditTableOf } from '../../src/composition-root';
import { createDynamoDbAuditReader, recordAuditEntry } from '../../src/adapters/dynamodb-console-store';
import type { AuditEntry } from '../../src/domain/ports';

const stores = openConsoleStores(localConsoleEnvironment());
const documents = createDocumentClient(awsClientSettings(stores.config));
const table = auditTableOf(stores.config);
afterAll(() => documents.destroy());

it('reads the last day across midnight: the minute before is shown, what is older than 24 hours is not', async () => {
  // A day of its own, long past, so that no other test's entries share its partitions.
  const year = 2001 + Math.floor(Math.random() * 20);
  const at = (time: string) => new Date(`${year}-01-${time}Z`).toISOString();
  const entry = (when: string, target: string): AuditEntry => ({
    at: at(when),
    actor: 'ops@test',
    action: 'purge',
    dlq: 'marketing-events-local-events-dlq',
    target,
    count: 1,
    outcome: 'deleted 1',
  });
  const run = randomUUID().slice(0, 8);
  for (const [when, target] of [
    ['01T00:00:01.000', `${run} a day and 4 s before`],
    ['01T23:59:59.000', `${run} 6 s before, yesterday`],
    ['02T00:00:02.000', `${run} 3 s before, today`],
  ] as const)
    expect(await recordAuditEntry(documents, table, entry(when, target), randomUUID())).toBe('recorded');

  const reader = createDynamoDbAuditReader(documents, table, () => new Date(at('02T00:00:05.000')));
  const shown = (await reader.list({ days: 1, limit: 50 })).filter((e) => e.target.startsWith(run));
  expect(shown.map((e) => e.target)).toEqual([`${run} 3 s before, today`, `${run} 6 s before, yesterday`]);
  const twoDays = (await reader.list({ days: 2, limit: 50 })).filter((e) => e.target.startsWith(run));
  expect(twoDays).toHaveLength(3);
});
