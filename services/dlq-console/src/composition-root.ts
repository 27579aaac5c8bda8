/**
 * dlq-console's one composition root: the SQS queues, the DynamoDB index, locks and audit trail, and the console
 * library on them, for the functions, the command line and the HTTP API alike.
 */
import { z } from 'zod';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  envelopeAttributes,
  loadConfig,
  QueueUrlResolver,
  redriveRequestedV1,
  type RedriveRequested,
} from '@backbone/shared';
import { createSqsQueues } from './adapters/sqs-queues';
import {
  createDynamoDbAuditTrail,
  createDynamoDbIndex,
  createDynamoDbRedriveLocks,
  createDynamoDbRedriveRecords,
} from './adapters/dynamodb-console-store';
import { createDeadLetterConsole } from './domain/console';

export const SERVICE = 'dlq-console';

export const consoleEnvironmentSchema = awsEnvironmentSchema.extend({
  STAGE: z.string().min(1, 'set STAGE to the stage whose DLQs the console serves'),
  INDEX_TABLE: z.string().min(1, "set INDEX_TABLE to the console's dead-letter index table"),
  AUDIT_TABLE: z.string().min(1, "set AUDIT_TABLE to the console's audit table").optional(),
  /** Where the web API queues the redrives it is asked for (unset: redrives run from the command line only). */
  REDRIVE_JOBS_QUEUE_NAME: z.string().min(1).optional(),
});

export function openConsoleStores(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(consoleEnvironmentSchema, env, SERVICE);
  const aws = awsClientSettings(config);
  const documents = createDocumentClient(aws);
  const sqs = createSqsClient(aws);
  const jobsQueue = config.REDRIVE_JOBS_QUEUE_NAME;
  const urls = new QueueUrlResolver(sqs);
  return {
    config,
    queues: createSqsQueues(sqs, { stage: config.STAGE }),
    records: createDynamoDbRedriveRecords(documents, config.INDEX_TABLE),
    ...(jobsQueue
      ? {
          jobs: {
            async enqueue(job: RedriveRequested) {
              const envelope = redriveRequestedV1.create(job, { id: `redrive:${job.redriveId}` });
              await sqs.send(
                new SendMessageCommand({
                  QueueUrl: await urls.resolve(jobsQueue),
                  MessageBody: JSON.stringify(envelope),
                  MessageAttributes: envelopeAttributes(envelope),
                }),
              );
            },
          },
        }
      : {}),
    index: createDynamoDbIndex(documents, config.INDEX_TABLE),
    locks: createDynamoDbRedriveLocks(documents, config.INDEX_TABLE),
    audit: createDynamoDbAuditTrail(documents, config.AUDIT_TABLE ?? `${SERVICE}-${config.STAGE}-audit`),
  };
}

export function openDeadLetterConsole(env: Record<string, string | undefined> = process.env) {
  return createDeadLetterConsole(openConsoleStores(env));
}
