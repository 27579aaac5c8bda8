import { createLogger, type Failure, type Metrics } from '@backbone/shared';
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

  it('counts a failed redrive and the messages a redrive sent back that failed again, for the RedriveFailures alarm', async () => {
    const counted: Array<[string, number]> = [];
    const metrics = {
      addMetric: (name: string, _unit: unknown, value: number) => void counted.push([name, value]),
      publishStoredMetrics: () => undefined,
    } as unknown as Metrics;
    const outcomes: Array<Partial<RedriveRecord>> = [
      { state: 'failed', because: 'DynamoDB throttled' },
      { state: 'stopped', progress: { stage: 'canary', total: 10, sent: 1, failedAgain: 1, notFound: 0 } },
      { state: 'done', progress: { stage: 'done', total: 3, sent: 3, failedAgain: 0, notFound: 0 } },
    ];
    const handler = createRunRedrivesHandler({
      console: {
        runRequestedRedrive: async () => ({ ...job, actor: 'a', summary: 's', updatedAt: '', ...outcomes.shift() }),
      } as unknown as DeadLetterConsole,
      deadLetters: { send: async () => undefined },
      maxReceiveCount: 3,
      logger: createLogger('test'),
      metrics,
    });
    const records = [1, 2, 3].map(() => sqsRecordFactory(JSON.stringify(redriveRequestedV2.create(job))));
    await handler({ Records: records }, lambdaContext());
    const sum = (name: string) => counted.filter(([n]) => n === name).reduce((total, [, value]) => total + value, 0);
    expect({ failed: sum('RedrivesFailed'), failedAgain: sum('RedriveMessagesFailedAgain') }).toEqual({
      failed: 1,
      failedAgain: 1,
    });
  });
});
