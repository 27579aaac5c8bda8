import { sampleCustomer } from '@backbone/rules-language/testing';
import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { impactPreviewRequestedV1, type ImpactPreviewComputed } from '../../../contracts';
import { createPreviewRuleImpactHandler } from './handler';

const snoop = (when: string) =>
  `snoop "savings" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ` +
  `when: ${when} score: 0.5 }`;
const request = (previewId: string, after: string) =>
  JSON.stringify(
    impactPreviewRequestedV1.create(
      {
        previewId,
        before: { label: 'a'.repeat(64), rulesFile: snoop('balances.savings < 500.0') },
        after: { label: 'draft', rulesFile: after },
        snoopIds: ['savings'],
        customers: null,
        on: '2026-12-07',
      },
      { id: previewId },
    ),
  );
const ids = Array.from({ length: 30 }, (_, i) => `cust-${String(i + 1).padStart(6, '0')}`);

function setUp(readFails = false) {
  const answers: ImpactPreviewComputed[] = [];
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createPreviewRuleImpactHandler({
    store: {
      pageCustomers: async (after, limit) => ids.filter((id) => id > (after ?? '')).slice(0, limit),
      readCustomers: async (wanted) => {
        if (readFails) throw new Error('connection refused');
        return new Map(wanted.map((id, i) => [id, sampleCustomer(i, 10)] as const));
      },
      currency: 'GBP',
      maxWindowDays: 400,
    },
    answer: async (answer) => void answers.push(answer),
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 3,
    logger: createLogger('test'),
  });
  return { handler, answers, deadLettered };
}

describe('previewRuleImpact handler', () => {
  it('answers each request, counted or failed with the reason; dead-letters one that is not a request', async () => {
    const { handler, answers, deadLettered } = setUp();
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(request('00000000-0000-4000-8000-000000000001', snoop('balances.savings < 900.0'))),
          sqsRecordFactory(request('00000000-0000-4000-8000-000000000002', snoop('balances.savings < "x"'))),
          sqsRecordFactory('{"type":"ImpactPreviewRequested","version":1}', { messageId: 'bad' }),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    // Records are handled concurrently: each answer by its preview.
    const byId = new Map(answers.map((a) => [a.previewId.slice(-1), a.outcome]));
    expect(byId.get('1')).toMatchObject({ status: 'computed', report: { customers: 30 } });
    expect(byId.get('2')).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('"draft" does not compile'),
    });
    expect(deadLettered.map((d) => d.record.messageId)).toEqual(['bad']);
  });

  it('retries a request whose customers cannot be read (the batch item fails; nothing is answered)', async () => {
    const { handler, answers } = setUp(true);
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(request('00000000-0000-4000-8000-000000000001', snoop('balances.savings < 900.0')), {
            messageId: 'm1',
          }),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(answers).toEqual([]);
  });
});
