import { createLogger, type Failure } from '@backbone/shared';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import type { SQSRecord } from 'aws-lambda';
import { redriveRequestedV1, redriveRequestedV2, type RedriveRequested } from '../../../contracts';
import type { DeadLetterConsole } from '../../domain/console';
import type { RedriveRecord } from '../../domain/ports';
import { createRunRedrivesHandler } from './handler';

const job: RedriveRequested = {
  redriveId: '3f2b8c1e-9d4a-4f6e-8b1a-2c3d4e5f6a7b',
  dlq: 'marketing-events-local-events-dlq',
};
/** A job as version 1 wrote it: the request, a person's name and roles in the message. */
const jobV1 = {
  ...job,
  filter: { group: 'ab12cd34' },
  confirm: '3 messages of marketing-events-local-events-dlq back to marketing-events-local-events (3)',
  actor: { name: 'ops.editor@example.com', roles: ['dlq:read', 'dlq:redrive'] },
  options: { canary: 1, canaryWatchSeconds: 1, messagesPerSecond: 100 },
};

function setUp() {
  const ran: RedriveRequested[] = [];
  const deadLettered: { record: SQSRecord; failure: Failure }[] = [];
  const console = {
    runRequestedRedrive: async (request: RedriveRequested): Promise<RedriveRecord> => {
      ran.push(request);
      return {
        redriveId: request.redriveId,
        dlq: request.dlq,
        actor: 'ops.editor@example.com',
        summary: '3 messages',
        state: 'done',
        updatedAt: '2026-11-30T12:00:00.000Z',
      };
    },
  } as unknown as DeadLetterConsole;
  const handler = createRunRedrivesHandler({
    console,
    deadLetters: { send: async (record, failure) => void deadLettered.push({ record, failure }) },
    maxReceiveCount: 3,
    logger: createLogger('test'),
  });
  return { handler, ran, deadLettered };
}

describe('runRedrives handler', () => {
  it('runs each requested redrive through the console by its id alone, a version 1 job’s claims ignored', async () => {
    const { handler, ran } = setUp();
    const response = await handler(
      {
        Records: [
          sqsRecordFactory(JSON.stringify(redriveRequestedV2.create(job))),
          sqsRecordFactory(JSON.stringify(redriveRequestedV1.create(jobV1))),
        ],
      },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(ran).toEqual([job, job]);
  });

  it('dead-letters a job its contract refuses, running nothing', async () => {
    const { handler, ran, deadLettered } = setUp();
    const broken = { ...redriveRequestedV2.create(job), data: { ...job, redriveId: 'not-a-uuid' } };
    await handler({ Records: [sqsRecordFactory(JSON.stringify(broken))] }, lambdaContext());
    expect(ran).toEqual([]);
    expect(deadLettered[0]!.failure.reason).toMatch(/data\.redriveId/);
  });
});
