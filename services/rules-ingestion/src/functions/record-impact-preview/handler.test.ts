import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import { impactPreviewComputedV1, type ImpactPreviewComputed } from '@backbone/snoop-scheduler/contracts';
import type { SQSRecord } from 'aws-lambda';
import { memoryImpactPreviews } from '../../domain/impact-previews.fixtures';
import { createRecordImpactPreviewHandler } from './handler';

const PREVIEW = '00000000-0000-4000-8000-000000000001';
const answer = (previewId: string, outcome: ImpactPreviewComputed['outcome']) =>
  JSON.stringify(
    impactPreviewComputedV1.create({ previewId, outcome, computedAt: '2026-12-07T10:00:01.000Z' }, { id: previewId }),
  );

async function setUp() {
  const memory = memoryImpactPreviews();
  await memory.store.add({
    previewId: PREVIEW,
    requestedBy: 'w',
    snoopIds: ['s'],
    customers: 10,
    before: 'a',
    after: 'draft',
    on: '2026-12-07',
  });
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createRecordImpactPreviewHandler({
    record: (answer) => memory.store.answer(answer),
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 3,
    logger: createLogger('test'),
  });
  return { handler, memory, deadLettered };
}

describe('recordImpactPreview handler', () => {
  it('keeps an answer once, dead-letters one nobody asked for and a malformed one, failing neither sibling', async () => {
    const { handler, memory, deadLettered } = await setUp();
    const failed = { status: 'failed' as const, reason: 'the rules file "draft" does not compile' };
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(answer(PREVIEW, failed), { messageId: 'm1' }),
          sqsRecordFactory(answer('00000000-0000-4000-8000-0000000000ff', failed), { messageId: 'm3' }),
          sqsRecordFactory('{"type":"ImpactPreviewComputed"}', { messageId: 'm4' }),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    // Sent again (a retried batch upstream): accepted, and the answer kept first stays.
    const again = await handler(
      { Records: [sqsRecordFactory(answer(PREVIEW, { ...failed, reason: 'again' }), { messageId: 'm2' })] },
      lambdaContext(),
    );
    expect(again.batchItemFailures).toEqual([]);
    expect(memory.store.records.get(PREVIEW)).toMatchObject({ state: 'failed', reason: failed.reason });
    expect(deadLettered.map((d) => d.record.messageId).sort()).toEqual(['m3', 'm4']);
    expect(deadLettered.find((d) => d.record.messageId === 'm3')!.failure.reason).toContain(
      'no impact preview 00000000-0000-4000-8000-0000000000ff',
    );
  });
});
