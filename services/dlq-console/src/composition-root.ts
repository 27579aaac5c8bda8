/**
 * dlq-console's one composition root: the SQS queues, the DynamoDB index, locks and audit trail, and the console
 * library on them, for the functions, the command line and the HTTP API alike.
 */
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSqsClient,
  envelopeAttributes,
  loadConfig,
  QueueUrlResolver,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
  type SqsConsumerDeps,
} from '@backbone/shared';
import {
  createDynamoDbDeliveryLedger,
  createDynamoDbDestinationStatusBoard,
} from '@backbone/marketing-events/contracts';
import { auditEntryRecordedV1, redriveRequestedV2, type RedriveRequested } from '../contracts';
import { createSqsQueues } from './adapters/sqs-queues';
import {
  createDynamoDbAuditReader,
  createDynamoDbRedriveLocks,
  createDynamoDbRedriveRecords,
} from './adapters/dynamodb-console-store';
import { createDynamoDbDeadLetterIndex } from './adapters/dynamodb-dead-letter-index';
import { createDeadLetterConsole, type ConsoleDependencies } from './domain/console';
import type { AuditEntry, AuditTrail, DeliveryRecords } from './domain/ports';

export const SERVICE = 'dlq-console';

/** What each of the console's SQS consumers needs besides its own parts: its DLQ, backoff, logger and metrics. */
export function consumerParts(functionName: string, env: Record<string, string | undefined>): SqsConsumerDeps {
  const { deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(
    loadConfig(sqsConsumerConfigSchema, env, `${SERVICE}/${functionName}`),
  );
  return { deadLetters, backoff, maxReceiveCount, logger: createLogger(SERVICE), metrics: createMetrics(SERVICE) };
}

export const consoleEnvironmentSchema = awsEnvironmentSchema.extend({
  STAGE: z.string().min(1, 'set STAGE to the stage whose DLQs the console serves'),
  INDEX_TABLE: z.string().min(1, "set INDEX_TABLE to the console's dead-letter index table"),
  AUDIT_TABLE: z.string().min(1, "set AUDIT_TABLE to the console's audit table").optional(),
  /** Where every face sends its audit entries, for the one function that may write the trail. */
  AUDIT_QUEUE_NAME: z.string().min(1, "set AUDIT_QUEUE_NAME to the console's audit entries queue").optional(),
  /**
   * marketing-events' delivery ledger, read by dry runs and redrives (which marketing dead letters were delivered
   * since; how each platform answered lately). Unset: dry runs check contracts and the platforms' rules only.
   */
  DELIVERIES_TABLE: z.string().min(1).optional(),
  /**
   * The queues the console serves, as name prefixes, comma separated; by default `<service>-<stage>-` for each of the
   * project's services (PROJECT_SERVICES). Its IAM rights reach these and no other queue.
   */
  QUEUE_PREFIXES: z.string().min(1).optional(),
  /** Where the web API queues the redrives it is asked for (unset: redrives run from the command line only). */
  REDRIVE_JOBS_QUEUE_NAME: z.string().min(1).optional(),
});

/** The console's ports as the command line and the worker use them. */
export type ConsoleStores = Pick<ReturnType<typeof openConsoleStores>, 'queues' | 'index'> & ConsoleDependencies;

export function openConsoleStores(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(consoleEnvironmentSchema, env, SERVICE);
  const aws = awsClientSettings(config);
  const documents = createDocumentClient(aws);
  const sqs = createSqsClient(aws);
  const jobsQueue = config.REDRIVE_JOBS_QUEUE_NAME;
  const urls = new QueueUrlResolver(sqs);
  return {
    config,
    queues: createSqsQueues(sqs, { prefixes: queuePrefixesOf(config) }),
    records: createDynamoDbRedriveRecords(documents, config.INDEX_TABLE),
    ...(jobsQueue
      ? {
          jobs: {
            async enqueue(job: RedriveRequested) {
              const envelope = redriveRequestedV2.create(job, { id: `redrive:${job.redriveId}` });
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
    ...(config.DELIVERIES_TABLE ? { deliveries: deliveryRecords(documents, config.DELIVERIES_TABLE) } : {}),
    index: createDynamoDbDeadLetterIndex(documents, config.INDEX_TABLE),
    locks: createDynamoDbRedriveLocks(documents, config.INDEX_TABLE),
    audit: {
      // Appended through the audit queue (the recorder alone writes the table); read from the table.
      append: (entry) =>
        sendAuditEntry(sqs, urls, config.AUDIT_QUEUE_NAME ?? `${SERVICE}-${config.STAGE}-audit-entries`, entry),
      ...createDynamoDbAuditReader(documents, auditTableOf(config)),
    } satisfies AuditTrail,
  };
}

/** The project's services: their queues, and only theirs, are the console's (see QUEUE_PREFIXES). */
export const PROJECT_SERVICES = [
  'marketing-events',
  'device-ownership',
  'snoop-scheduler',
  'rules-ingestion',
  'dlq-console',
] as const;

export const queuePrefixesOf = (config: { QUEUE_PREFIXES?: string | undefined; STAGE: string }): string[] =>
  config.QUEUE_PREFIXES?.split(',').map((prefix) => prefix.trim()) ??
  PROJECT_SERVICES.map((service) => `${service}-${config.STAGE}-`);

export const auditTableOf = (config: { AUDIT_TABLE?: string | undefined; STAGE: string }): string =>
  config.AUDIT_TABLE ?? `${SERVICE}-${config.STAGE}-audit`;

async function sendAuditEntry(sqs: SQSClient, urls: QueueUrlResolver, queue: string, entry: AuditEntry) {
  // A random envelope id: the recorder keys the entry on it, so a resent entry is recorded once.
  const envelope = auditEntryRecordedV1.create(entry, { id: randomUUID() });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: await urls.resolve(queue),
      MessageBody: JSON.stringify(envelope),
      MessageAttributes: envelopeAttributes(envelope),
    }),
  );
}

/** The ledger's reading side, as the console's domain asks for it. */
function deliveryRecords(documents: DynamoDBDocumentClient, table: string): DeliveryRecords {
  const ledger = createDynamoDbDeliveryLedger(documents, table);
  const board = createDynamoDbDestinationStatusBoard(documents, table);
  return {
    async delivered(eventIds) {
      const entries = await ledger.read(eventIds);
      return new Map([...entries].map(([id, entry]) => [id, entry.delivered]));
    },
    statuses: (destinations) => board.read(destinations),
  };
}

export function openDeadLetterConsole(env: Record<string, string | undefined> = process.env) {
  return createDeadLetterConsole(openConsoleStores(env));
}
