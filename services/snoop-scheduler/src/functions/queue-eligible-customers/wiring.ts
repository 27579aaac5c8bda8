import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createLogger,
  createSecretsManagerClient,
  createSqsClient,
  loadConfig,
  QueueUrlResolver,
} from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';

import { z } from 'zod';

import { pageEligibleCustomers } from '../../adapters/customer-store';

import { readActiveRuleSet } from '../../adapters/dynamodb-rule-set-store';

import { createDynamoDbRunStore } from '../../adapters/dynamodb-runs';

import { eligibleCustomerQueue } from '../../adapters/sqs-run-queues';

import { SERVICE } from '../../composition-root';

import type { Logger } from '@backbone/shared';

import type { CustomerPager, CustomerQueue, RunStore } from '../../domain/nightly-run';

export interface QueueEligibleCustomersDeps {
  runs: RunStore;
  pageEligibleCustomers: CustomerPager;
  queue: CustomerQueue;
  /** The active rule set's version (undefined before the first publication). */
  activeRulesVersion: () => Promise<string | undefined>;
  logger: Logger;
  now?: () => Date;
}

const configSchema = awsEnvironmentSchema.extend(postgresEnvironmentSchema.shape).extend({
  SNOOP_RUNS_TABLE: z.string().min(3),
  RULE_SETS_TABLE: z.string().min(3),
  ELIGIBLE_CUSTOMERS_QUEUE_NAME: z.string().min(1),
});

/** The customer store (through the SQL relay), the runs and rule-sets tables, and the eligible-customers queue. */
export function wireQueueEligibleCustomers(
  env: Record<string, string | undefined> = process.env,
): QueueEligibleCustomersDeps {
  const config = loadConfig(configSchema, env, `${SERVICE}/queueEligibleCustomers`);
  const aws = awsClientSettings(config);
  const documents = createDocumentClient(aws);
  const sqs = createSqsClient(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  const pool = createPostgresPool(config, config.PGPASSWORD_SECRET_ARN ? createSecretsManagerClient(aws) : undefined);
  return {
    runs: createDynamoDbRunStore(documents, config.SNOOP_RUNS_TABLE),
    pageEligibleCustomers: (after, limit) => pageEligibleCustomers(pool, after, limit),
    queue: eligibleCustomerQueue(sqs, queueUrls, config.ELIGIBLE_CUSTOMERS_QUEUE_NAME),
    activeRulesVersion: async () => (await readActiveRuleSet(documents, config.RULE_SETS_TABLE))?.ruleSetVersion,
    logger: createLogger(SERVICE),
  };
}
