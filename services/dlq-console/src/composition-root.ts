/**
 * dlq-console's one composition root: the SQS queues, the DynamoDB index, locks and audit trail, and the console
 * library on them, for the functions, the command line and the HTTP API alike.
 */
import { z } from 'zod';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createSqsClient,
  loadConfig,
} from '@backbone/shared';
import { createSqsQueues } from './adapters/sqs-queues';
import {
  createDynamoDbAuditTrail,
  createDynamoDbIndex,
  createDynamoDbRedriveLocks,
} from './adapters/dynamodb-console-store';
import { createDeadLetterConsole } from './domain/console';

export const SERVICE = 'dlq-console';

export const consoleEnvironmentSchema = awsEnvironmentSchema.extend({
  STAGE: z.string().min(1, 'set STAGE to the stage whose DLQs the console serves'),
  INDEX_TABLE: z.string().min(1, "set INDEX_TABLE to the console's dead-letter index table"),
  AUDIT_TABLE: z.string().min(1, "set AUDIT_TABLE to the console's audit table").optional(),
});

export function openConsoleStores(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(consoleEnvironmentSchema, env, SERVICE);
  const aws = awsClientSettings(config);
  const documents = createDocumentClient(aws);
  return {
    config,
    queues: createSqsQueues(createSqsClient(aws), { stage: config.STAGE }),
    index: createDynamoDbIndex(documents, config.INDEX_TABLE),
    locks: createDynamoDbRedriveLocks(documents, config.INDEX_TABLE),
    audit: createDynamoDbAuditTrail(documents, config.AUDIT_TABLE ?? `${SERVICE}-${config.STAGE}-audit`),
  };
}

export function openDeadLetterConsole(env: Record<string, string | undefined> = process.env) {
  return createDeadLetterConsole(openConsoleStores(env));
}
