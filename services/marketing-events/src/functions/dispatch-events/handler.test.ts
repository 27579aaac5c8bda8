import { ATTRIBUTE, createLogger, type Failure } from '@backbone/shared';
import { createMarketingEvent } from '../../../contracts';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '../../../contracts/testing';
import type { SQSRecord } from 'aws-lambda';
import { createMemoryDeliveryLedger } from '../../adapters/memory-ledger';
import { ga4Destination } from '../../domain/ga4';
import { DEFAULT_ROUTING } from '../../domain/platforms';
import { webhookDestination } from '../../domain/webhook';
import type { HttpAnswer, HttpTransport } from '../../domain/outcome';
import { createDispatchHandler } from './handler';

const NOW = new Date();

/** A webhook receiver that answers each request with the next status in `statuses` (then 200). */
function receiver(statuses: number[] = []) {
  const requests: { eventIds: string[] }[] = [];
  const http: HttpTransport = {
    async post(_url, body): Promise<HttpAnswer> {
      requests.push({ eventIds: (JSON.parse(body) as { events: { eventId: string }[] }).events.map((e) => e.eventId) });
      return { status: statuses.shift() ?? 200, body: {} };
    },
  };
  return { http, requests };
}

function dispatcher(http: HttpTransport) {
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const ledger = createMemoryDeliveryLedger();
  const handler = createDispatchHandler({
    destinations: [webhookDestination({ url: 'http://receiver.test/hook', signingKey: 'k' }, http)],
    routing: {
      RegistrationCompleted: ['webhook'],
      LoanApplicationSubmitted: ['webhook'],
      LoanApproved: ['webhook'],
      LoanDisbursed: ['webhook'],
      FirstRepaymentMade: ['webhook'],
    },
    ledger,
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 3,
    logger: createLogger('test'),
    now: () => NOW,
  });
  return { handler, deadLettered, ledger };
}

const recordOf = (i: number, receiveCount = 1) =>
  sqsRecordFactory(JSON.stringify(createMarketingEvent(sampleMarketingEvent('unit', i, NOW))), { receiveCount });

describe('dispatchEvents handler', () => {
  it('delivers a batch and reports no failure; a redelivered batch is not sent again', async () => {
    const { http, requests } = receiver();
    const { handler } = dispatcher(http);
    const records = [recordOf(0), recordOf(1), recordOf(2)];
    await expect(handler({ Records: records }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.eventIds).toHaveLength(3);
    await expect(handler({ Records: records }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
    expect(requests).toHaveLength(1);
  });

  it('reports a batch the platform could not take now (503) as failed items, to be retried', async () => {
    const { http } = receiver([503]);
    const { handler, deadLettered } = dispatcher(http);
    const records = [recordOf(0), recordOf(1)];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    expect(deadLettered).toEqual([]);
  });

  it('dead-letters what the platform refuses for good (422), with its answer as the reason', async () => {
    const { http } = receiver([422]);
    const { handler, deadLettered } = dispatcher(http);
    const response = await handler({ Records: [recordOf(0)] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.failure).toMatchObject({
      kind: 'permanent',
      reason: expect.stringMatching(/webhook answered 422/),
    });
  });

  it('dead-letters a record that is not an event without holding back its siblings', async () => {
    const { http, requests } = receiver();
    const { handler, deadLettered } = dispatcher(http);
    const response = await handler({ Records: [sqsRecordFactory('{"id": "half'), recordOf(1)] }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered.map((d) => d.failure.kind)).toEqual(['permanent']);
    expect(requests.flatMap((r) => r.eventIds)).toHaveLength(1);
  });

  it('dead-letters an event whose GA4 send is in doubt, and sends it when a redrive asks to resend to ga4', async () => {
    const posts: string[] = [];
    const http: HttpTransport = { post: async (_url, body) => (posts.push(body), { status: 204, body: '' }) };
    const deadLettered: Failure[] = [];
    const ledger = createMemoryDeliveryLedger();
    const handler = createDispatchHandler({
      destinations: [
        ga4Destination(
          { baseUrl: 'http://ga4.test', firebaseAppId: 'a', apiSecret: 's', delivery: 'at-most-once' },
          http,
        ),
      ],
      routing: { ...DEFAULT_ROUTING, RegistrationCompleted: ['ga4'] },
      ledger,
      deadLetters: { send: async (_record, failure) => void deadLettered.push(failure) },
      maxReceiveCount: 3,
      logger: createLogger('test'),
      now: () => NOW,
    });
    const record = recordOf(0);
    const { id } = JSON.parse(record.body) as { id: string };
    // An earlier invocation noted the send and stopped before it learnt the outcome.
    await ledger.write(new Map([[id, { sending: ['ga4'] }]]));
    await expect(handler({ Records: [record] }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
    expect(deadLettered).toEqual([
      expect.objectContaining({
        kind: 'outcome-unknown',
        reason: expect.stringMatching(/^OutcomeUnknownError: ga4: outcome unknown: an earlier send was started/),
      }),
    ]);
    expect(posts).toEqual([]);
    const redriven = {
      ...record,
      messageAttributes: { [ATTRIBUTE.resend]: { dataType: 'String', stringValue: ' ga4 ,' } },
    };
    await expect(handler({ Records: [redriven] }, lambdaContext())).resolves.toEqual({ batchItemFailures: [] });
    expect(posts).toHaveLength(1);
    expect(deadLettered).toHaveLength(1);
  });

  it('is a Lambda handler that builds its parts on first use', async () => {
    const { handler } = await import('./handler');
    await expect(handler({ Records: [] }, lambdaContext())).rejects.toThrow(/DELIVERIES_TABLE/);
  });
});
