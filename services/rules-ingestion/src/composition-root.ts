/**
 * The one place in rules-ingestion that reads configuration and builds clients. The CLI and the
 * HTTP handlers take ready-made functions from here.
 */
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createS3Client,
  createSecretsManagerClient,
  createSqsClient,
  loadConfig,
  QueueUrlResolver,
} from '@backbone/shared';
import {
  createPostgresPool,
  postgresEnvironmentSchema,
  type PostgresEnvironment,
  type PostgresPool,
} from '@backbone/shared/postgres';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { createPostgresDefinitionSource, createPostgresPublicationLog } from './adapters/postgres';
import { createS3RuleSetFiles } from './adapters/s3-rule-set-files';
import { createSqsAnnouncer } from './adapters/sqs-announcer';
import {
  buildRuleSet,
  publishRuleSet,
  validateCandidate,
  type BuiltRuleSet,
  type PublishOutcome,
} from './domain/rule-set';

const SERVICE = 'rules-ingestion';

export const rulesIngestionConfigSchema = awsEnvironmentSchema.merge(postgresEnvironmentSchema).extend({
  RULES_BUCKET: z.string().min(3, 'set RULES_BUCKET to the rules bucket name'),
  RULE_SET_PUBLISHED_QUEUE_NAME: z
    .string()
    .min(1, 'set RULE_SET_PUBLISHED_QUEUE_NAME to snoop-scheduler\u2019s queue name'),
});

export interface Database {
  env: PostgresEnvironment;
  /** Set when the password is in Secrets Manager (PGPASSWORD_SECRET_ARN). */
  secrets?: SecretsManagerClient;
  close(): void;
}

/** PostgreSQL settings, with a Secrets Manager client when the password lives there. */
export function databaseSettings(env: Record<string, string | undefined> = process.env): Database {
  const database = loadConfig(postgresEnvironmentSchema, env, SERVICE);
  const secrets = database.PGPASSWORD_SECRET_ARN
    ? createSecretsManagerClient(awsClientSettings(loadConfig(awsEnvironmentSchema, env, SERVICE)))
    : undefined;
  return { env: database, secrets, close: () => secrets?.destroy() };
}

/** Checks the active definitions, or a candidate definition with them (see validateCandidate). */
export interface RulesValidation {
  pool: PostgresPool;
  validate(candidate?: unknown): Promise<BuiltRuleSet & { activeCount: number }>;
  close(): Promise<void>;
}

export function createRulesValidation(
  env: Record<string, string | undefined> = process.env,
  pool?: PostgresPool,
): RulesValidation {
  const settings = pool ? undefined : databaseSettings(env);
  const database = pool ?? createPostgresPool(settings!.env, settings!.secrets);
  const definitions = createPostgresDefinitionSource(database);
  return {
    pool: database,
    async validate(candidate) {
      const active = await definitions.loadActive();
      const built = candidate === undefined ? buildRuleSet(active) : validateCandidate(active, candidate);
      return { ...built, activeCount: active.length };
    },
    async close() {
      if (!pool) await database.end();
      settings?.close();
    },
  };
}

export interface RulesIngestion {
  pool: PostgresPool;
  publish(publishedBy: string): Promise<PublishOutcome>;
  close(): Promise<void>;
}

export function createRulesIngestion(
  env: Record<string, string | undefined> = process.env,
  pool?: PostgresPool,
): RulesIngestion {
  const config = loadConfig(rulesIngestionConfigSchema, env, SERVICE);
  const aws = awsClientSettings(config);
  const sqs = createSqsClient(aws);
  const s3 = createS3Client(aws);
  const queueUrls = new QueueUrlResolver(sqs);
  const settings = pool ? undefined : databaseSettings(env);
  const database = pool ?? createPostgresPool(config, settings!.secrets);
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
      settings?.close();
    },
  };
}
