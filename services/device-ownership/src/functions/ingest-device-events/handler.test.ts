import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { deviceResetSignalledV1, loginSucceededV1, signUpCompletedV1 } from '../../../contracts';
import { createMemoryDeviceStore } from '../../adapters/memory-device-store';
import { DEFAULT_POLICY } from '../../domain/rules';
import { createIngestDeviceEventsHandler } from './handler';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function setUp() {
  const stores = createMemoryDeviceStore(() => NOW);
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const handler = createIngestDeviceEventsHandler({
    store: stores.events,
    policy: DEFAULT_POLICY,
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 5,
    logger: createLogger('test'),
  });
  return { handler, stores, deadLettered };
}

describe('ingestDeviceEvents handler', () => {
  it('writes each event to the device row: a completed sign-up binds it, a later login is its owner’s last activity', async () => {
    const { handler, stores, deadLettered } = setUp();
    const records = [
      sqsRecordFactory(
        JSON.stringify(signUpCompletedV1.create({ deviceId: 'd-1', customerId: 'c-1' }, { occurredAt: at(10) })),
      ),
      sqsRecordFactory(
        JSON.stringify(loginSucceededV1.create({ deviceId: 'd-1', customerId: 'c-1' }, { occurredAt: at(5) })),
      ),
    ];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([]);
    const device = await stores.decisions.read('d-1');
    expect(device.owner?.customerId).toBe('c-1');
    expect(device.lastSeen.get('c-1')).toEqual(at(5));
  });

  it('dead-letters an event its contract refuses, naming the field, and writes its sibling', async () => {
    const { handler, stores, deadLettered } = setUp();
    const bad = JSON.parse(JSON.stringify(loginSucceededV1.create({ deviceId: 'd-2', customerId: 'c-2' }))) as {
      data: Record<string, unknown>;
    };
    bad.data['deviceId'] = '';
    const records = [
      sqsRecordFactory(JSON.stringify(bad)),
      sqsRecordFactory(
        JSON.stringify(signUpCompletedV1.create({ deviceId: 'd-3', customerId: 'c-3' }, { occurredAt: at(1) })),
      ),
    ];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]!.record.messageId).toBe(records[0]!.messageId);
    expect(deadLettered[0]!.failure.reason).toMatch(/data\.deviceId/);
    expect((await stores.decisions.read('d-3')).owner?.customerId).toBe('c-3');
  });
});

describe('ingestDeviceEvents handler, an event dated in the future', () => {
  it('dead-letters a reset dated 2100 with the reason, writes nothing of it, and writes its sibling', async () => {
    const { handler, stores, deadLettered } = setUp();
    const records = [
      sqsRecordFactory(
        JSON.stringify(
          deviceResetSignalledV1.create(
            { deviceId: 'd-9', signal: 'new-install-id', installId: 'i-2' },
            { occurredAt: new Date('2100-01-01T00:00:00.000Z') },
          ),
        ),
      ),
      sqsRecordFactory(
        JSON.stringify(signUpCompletedV1.create({ deviceId: 'd-9', customerId: 'c-9' }, { occurredAt: at(1) })),
      ),
    ];
    const response = await handler({ Records: records }, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered.map((d) => d.record.messageId)).toEqual([records[0]!.messageId]);
    expect(deadLettered[0]!.failure).toMatchObject({
      kind: 'permanent',
      reason: expect.stringMatching(
        /dated 2100-01-01T00:00:00\.000Z, more than 5 minutes ahead of this service's clock/,
      ),
    });
    const device = await stores.decisions.read('d-9');
    expect(device.lastResetAt).toBeUndefined();
    expect(device.owner?.customerId).toBe('c-9');
  });
});
