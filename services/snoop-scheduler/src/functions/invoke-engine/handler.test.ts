import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { customerRulesV1 } from '../../../contracts';
import type { EngineAnswer, EngineRequest } from '../../domain/invoke-engine';
import { createInvokeEngineHandler } from './handler';
import type { RunCounts } from './wiring';

const rules = (customerId: string) =>
  sqsRecordFactory(
    JSON.stringify(
      customerRulesV1.create({ runId: 'night-2026-11-30', customerId, ruleIds: ['r1', 'r2'], on: '2026-11-30' }),
    ),
    { groupId: customerId },
  );

function setUp(answer: (request: EngineRequest) => EngineAnswer) {
  const requests: EngineRequest[] = [];
  const counted: [string, RunCounts][] = [];
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createInvokeEngineHandler({
    engine: {
      evaluate: async (request) => {
        requests.push(request);
        return answer(request);
      },
    },
    countRun: async (runId, counts) => void counted.push([runId, counts]),
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 5,
    logger: createLogger('test'),
    sleep: async () => undefined,
  });
  return { handler, requests, counted, deadLettered };
}

describe('invokeEngine handler', () => {
  it("sends the batch's customers in one request, and counts what the engine scored on the run", async () => {
    const { handler, requests, counted, deadLettered } = setUp(() => ({
      kind: 'scored',
      evaluated: 4,
      written: 4,
      errors: [],
    }));
    const response = await handler({ Records: [rules('c-1'), rules('c-2')] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    expect(requests).toEqual([
      {
        runId: 'night-2026-11-30',
        on: '2026-11-30',
        customers: [
          { customerId: 'c-1', ruleIds: ['r1', 'r2'] },
          { customerId: 'c-2', ruleIds: ['r1', 'r2'] },
        ],
      },
    ]);
    expect(counted).toEqual([['night-2026-11-30', { customersScored: 2, customersFailed: 0, evaluations: 4 }]]);
  });

  it('dead-letters a customer the store does not know, with the reason, and scores the other', async () => {
    const { handler, counted, deadLettered } = setUp(() => ({
      kind: 'scored',
      evaluated: 2,
      written: 2,
      errors: [{ customerId: 'c-2', code: 'unknown-customer', reason: 'customer c-2 is not in the customer store' }],
    }));
    const response = await handler({ Records: [rules('c-1'), rules('c-2')] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.failure).toMatchObject({ kind: 'permanent', reason: expect.stringContaining('c-2') });
    expect(counted).toEqual([['night-2026-11-30', { customersScored: 1, customersFailed: 1, evaluations: 2 }]]);
  });

  it('drops the records of a run the fence has superseded, counted done on it with nothing evaluated', async () => {
    const { handler, deadLettered, counted } = setUp(() => ({ kind: 'superseded', message: 'run B is current' }));
    const response = await handler({ Records: [rules('c-1')] }, lambdaContext());
    // Not retried, not dead-lettered: a newer run has the last word, and the old one does not wait on them for ever.
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    expect(counted).toEqual([['night-2026-11-30', { customersScored: 1, customersFailed: 0, evaluations: 0 }]]);
  });
});
