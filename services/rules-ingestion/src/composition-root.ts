/**
 * The one place in rules-ingestion that reads configuration and builds clients.
 */
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createS3Client,
  createSqsClient,
  loadConfig,
  QueueUrlResolver,
} from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '@backbone/shared/postgres';
import { z } from 'zod';
import { createPostgresDefinitionSource, createPostgresPublicationLog } from './adapters/postgres';
import { createS3RuleSetFiles } from './adapters/s3-rule-set-files';
import { createSqsAnnouncer } from './adapters/sqs-announcer';
import { publishRuleSet, type PublishOutcome } from './domain/rule-set';

export const rulesIngestionConfigSchema = awsEnvironmentSchema.merge(postgresEnvironmentSchema).extend({
  RULES_BUCKET: z.string().min(3, 'set RULES_BUCKET to the rules bucket name'),
  RULE_SET_PUBLISHED_QUEUE_NAME: z
    .string()
    .min(1, 'set RULE_SET_PUBLISHED_QUEUE_NAME to snoop-scheduler\u2019s queue name'),
});

export type RulesIngestionConfig = z.infer<typeof rulesIngestionConfigSchema>;

export interface RulesIngestion {
  pool: PostgresPool;
  publish(publishedBy: string): Promise<PublishOutcome>;
  close(): Promise<void>;
}

export function createRulesIngestion(
  env: Record<string, string | undefined> = process.env,
  pool?: PostgresPool,
): RulesIngestion {
  const config = loadConfig(rulesIngestionConfigSchema, env, 'rules-ingestion');
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const s3 = createS3Client(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  const database = pool ?? createPostgresPool(config);
  const deps = {
    definitions: createPostgresDefinitionSource(database),
    files: createS3RuleSetFiles(s3, config.RULES_BUCKET),
    announcer: createSqsAnnouncer(sqs, () => queueUrls.resolve(config.RULE_SET_PUBLISHED_QUEUE_NAME)),
    publications: createPostgresPublicationLog(database),
    now: () => new Date(),
  };
  return {
    pool: database,
    publish: (publishedBy) => publishRuleSet(deps, publishedBy),
    async close() {
      sqs.destroy();
      s3.destroy();
      if (!pool) await database.end();
    },
  };
}
