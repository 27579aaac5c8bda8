import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { auditEntryRecordedV1 } from '../../../contracts';
import type { AuditEntry } from '../../domain/ports';
import { createRecordAuditHandler } from './handler';

const entry: AuditEntry = {
  at: '2026-11-30T12:00:00.000Z',
  actor: 'ops@example.com',
  actorId: 's-1',
  action: 'purge',
  dlq: 'marketing-events-local-events-dlq',
  target: '2 messages',
  count: 2,
  outcome: 'deleted 2',
};

function setUp() {
  /** The table as the recorder sees it: a key is written once. */
  const table = new Map<string, AuditEntry>();
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createRecordAuditHandler({
    record: async (recorded, uniqueId) => {
      if (table.has(uniqueId)) return 'already recorded';
      table.set(uniqueId, recorded);
      return 'recorded';
    },
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 5,
    logger: createLogger('test'),
  });
  return { handler, table, deadLettered };
}

describe('recordAudit handler', () => {
  it('records each entry under its envelope id, once however often it is delivered', async () => {
    const { handler, table } = setUp();
    const message = JSON.stringify(auditEntryRecordedV1.create(entry, { id: 'e-1' }));
    const other = JSON.stringify(auditEntryRecordedV1.create({ ...entry, action: 'export' }, { id: 'e-2' }));
    for (let i = 0; i < 2; i++)
      expect(
        (await handler({ Records: [sqsRecordFactory(message), sqsRecordFactory(other)] }, lambdaContext()))
          .batchItemFailures,
      ).toEqual([]);
    expect([...table.entries()]).toEqual([
      ['e-1', entry],
      ['e-2', { ...entry, action: 'export' }],
    ]);
  });

  it('dead-letters an entry its contract refuses, recording nothing', async () => {
    const { handler, table, deadLettered } = setUp();
    const broken = { ...auditEntryRecordedV1.create(entry), data: { ...entry, action: 'rewrite-history' } };
    await handler({ Records: [sqsRecordFactory(JSON.stringify(broken))] }, lambdaContext());
    expect(table.size).toBe(0);
    expect(deadLettered[0]!.failure.reason).toMatch(/data\.action/);
  });
});
