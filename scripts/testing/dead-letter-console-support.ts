/** What the dead-letter console's system tests share: the marketing queues, the sandbox's refusal, the console. */
import { GetQueueUrlCommand, PurgeQueueCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth, waitFor } from '@backbone/shared/testing';
import { ATTRIBUTE, awsClientSettings, awsEnvironmentSchema, createSqsClient, loadConfig } from '@backbone/shared';
import { loanApprovedV1 } from '@backbone/marketing-events/contracts';
import { SAMPLE_ANDROID_DEVICE } from '@backbone/marketing-events/contracts/testing';
import { countsFor, sandboxClient } from '@backbone/marketing-events/local';
import {
  indexedLetters,
  localConsoleEnvironment,
  openConsoleStores,
  openDeadLetterConsole,
  rolesFrom,
} from '@backbone/dlq-console/local';

export const QUEUE = 'marketing-events-local-events';
export const DLQ = 'marketing-events-local-events-dlq';

/** Meta refuses the data for good (code 100), as it does an invalid phone number: dead-lettered at once. */
export const META_REFUSES = {
  failureRate: 1,
  statuses: [400],
  platforms: ['meta' as const],
  refusal: 'Invalid parameter: user_data.ph is not a valid phone number',
};

export const sandbox = sandboxClient('http://127.0.0.1:4590');
export const metaCounts = async () => countsFor(await sandbox.received(), 'meta');

/** The console as the local stage's functions open it, and its stores. */
export const env = localConsoleEnvironment();
export const console_ = openDeadLetterConsole(env);
export const stores = openConsoleStores(env);

/** A queue's messages: waiting, and received but not deleted. */
export async function queueCounts(sqs: SQSClient, url: string): Promise<{ waiting: number; hidden: number }> {
  const { waiting, hidden } = await queueDepth(sqs, url);
  return { waiting, hidden };
}

/** The marketing queue and its DLQ emptied, the console's index of that DLQ too, the sandbox as new. */
export async function emptyMarketingQueues(): Promise<{ sqs: SQSClient; queueUrl: string; dlqUrl: string }> {
  const sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: QUEUE }))).QueueUrl!;
  const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: DLQ }))).QueueUrl!;
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
  await stores.index.remove(
    DLQ,
    (await indexedLetters(stores.index, DLQ)).map((l) => l.messageId),
  );
  await sandbox.reset();
  return { sqs, queueUrl, dlqUrl };
}

/**
 * Sends, past the producer's checks, a LoanApproved event whose currency is "pounds" (not an ISO 4217 code): the
 * dispatcher refuses it for its contract and dead-letters it at once. The event as it should have been is returned.
 */
export async function sendEventWithInvalidCurrency(sqs: SQSClient, queueUrl: string, run: string) {
  const valid = loanApprovedV1.create(
    {
      customer: { customerId: `${run}-c`, email: 'fix.me@example.com', phone: '+447700900999' },
      device: SAMPLE_ANDROID_DEVICE,
      applicationId: `${run}-a`,
      loanId: `${run}-l`,
      product: 'personal-loan',
      amount: 750,
      currency: 'GBP',
    },
    { id: `LoanApproved:${run}` },
  );
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ ...valid, data: { ...valid.data, currency: 'pounds' } }),
      MessageAttributes: { [ATTRIBUTE.type]: { DataType: 'String', StringValue: 'LoanApproved' } },
    }),
  );
  return valid;
}

/**
 * Someone allowed to unmask, as the tests find their own run's dead letters: the run id is in the events' ids, which
 * the console masks, so only an unmasked search (audited, with its reason) finds it.
 */
const tester = { name: 'integration-test', roles: rolesFrom(['dlq:read', 'dlq:unmask']) };

/** This run's dead letters in the index, found by an unmasked search (what they hold is not asserted on from here). */
export const lettersOfRun = (run: string, limit = 1_000) =>
  console_.messages(tester, DLQ, { search: run }, { limit, unmask: { reason: 'integration test: its own run only' } });

/** A filter that selects this run's dead letters as they are now: their ids. */
export const runFilter = async (run: string): Promise<{ ids: string[] }> => ({
  ids: (await lettersOfRun(run)).map((letter) => letter.messageId),
});

/**
 * The newest audit entry of an action, once the audit recorder (in serverless-offline, from the audit queue) has
 * recorded one at or after `since` (taken before the action).
 */
export const newestAudited = (action: string, since: number) =>
  waitFor(`a ${action} in the audit trail`, async () => {
    const entries = await console_.audit(tester, { days: 1, limit: 50 });
    return entries.find((e) => e.action === action && Date.parse(e.at) >= since);
  });
