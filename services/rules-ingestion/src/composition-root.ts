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
import {
  createPostgresDefinitionSource,
  createPostgresDefinitionStore,
  createPostgresPublicationLog,
} from './adapters/postgres';
import { createPostgresImpactPreviewStore } from './adapters/postgres-impact-previews';
import { createPostgresReviewStore, createPostgresRuleSetOutbox } from './adapters/postgres-reviews';
import { createSqsImpactPreviewQueue } from './adapters/sqs-impact-previews';
import { createS3RuleSetFiles } from './adapters/s3-rule-set-files';
import { createSqsAnnouncer } from './adapters/sqs-announcer';
import { randomUUID } from 'node:crypto';
import { snoopDefinitions, type SnoopDefinitions } from './domain/definitions';
import { impactPreviews, type ImpactPreviews } from './domain/impact-previews';
import type { ImpactPreviewComputed } from '@backbone/snoop-scheduler/contracts';
import { relayRuleSetOutbox, snoopReviews, type SnoopReviews } from './domain/reviews';
import {
  buildRuleSet,
  publishRuleSet,
  validateCandidate,
  type BuiltRuleSet,
  type PublishOutcome,
} from './domain/rule-set';

export const SERVICE = 'rules-ingestion';

/** What publishing needs besides the database (whose settings databaseSettings reads). */
export const rulesIngestionConfigSchema = awsEnvironmentSchema.extend({
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

/** A pool and how to let it go: the caller's (left open), or one from the environment (closed). */
export function openDatabase(env: Record<string, string | undefined> = process.env, pool?: PostgresPool) {
  if (pool) return { pool, close: async () => undefined };
  const settings = databaseSettings(env);
  const own = createPostgresPool(settings.env, settings.secrets);
  return {
    pool: own,
    async close() {
      await own.end();
      settings.close();
    },
  };
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
  const database = openDatabase(env, pool);
  const definitions = createPostgresDefinitionSource(database.pool);
  return {
    pool: database.pool,
    async validate(candidate) {
      const active = await definitions.loadActive();
      const built = candidate === undefined ? buildRuleSet(active) : validateCandidate(active, candidate);
      return { ...built, activeCount: active.length };
    },
    close: () => database.close(),
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
  const database = openDatabase(env, pool);
  const deps = {
    definitions: createPostgresDefinitionSource(database.pool),
    files: createS3RuleSetFiles(s3, config.RULES_BUCKET),
    announcer: createSqsAnnouncer(sqs, () => queueUrls.resolve(config.RULE_SET_PUBLISHED_QUEUE_NAME)),
    publications: createPostgresPublicationLog(database.pool),
    now: () => new Date(),
  };
  return {
    pool: database.pool,
    publish: (publishedBy) => publishRuleSet(deps, publishedBy),
    async close() {
      sqs.destroy();
      s3.destroy();
      await database.close();
    },
  };
}

/** Where the definitions API sends impact previews: snoop-scheduler's queue (the customer store is its). */
export const impactPreviewsConfigSchema = awsEnvironmentSchema.extend({
  IMPACT_PREVIEWS_QUEUE_NAME: z.string().min(1, 'set IMPACT_PREVIEWS_QUEUE_NAME to snoop-scheduler\u2019s queue name'),
});

/**
 * The snoop definitions people edit and review (the definitions API): PostgreSQL (or Aurora), and snoop-scheduler's
 * queue for impact previews.
 */
export function createSnoopDefinitions(
  env: Record<string, string | undefined> = process.env,
  pool?: PostgresPool,
): { definitions: SnoopDefinitions; reviews: SnoopReviews; previews: ImpactPreviews; close(): Promise<void> } {
  const config = loadConfig(impactPreviewsConfigSchema, env, SERVICE);
  const sqs = createSqsClient(awsClientSettings(config));
  const queueUrls = new QueueUrlResolver(sqs);
  const database = openDatabase(env, pool);
  const store = createPostgresDefinitionStore(database.pool);
  const reviewStore = createPostgresReviewStore(database.pool);
  const publications = createPostgresPublicationLog(database.pool);
  return {
    definitions: snoopDefinitions(store),
    reviews: snoopReviews(store, reviewStore, randomUUID),
    previews: impactPreviews({
      definitions: store,
      reviews: reviewStore,
      servedVersion: () => publications.latest(),
      previews: createPostgresImpactPreviewStore(database.pool),
      queue: createSqsImpactPreviewQueue(sqs, () => queueUrls.resolve(config.IMPACT_PREVIEWS_QUEUE_NAME)),
      newId: randomUUID,
      now: () => new Date(),
    }),
    async close() {
      sqs.destroy();
      await database.close();
    },
  };
}

/** The answers of snoop-scheduler's impact previews, kept for the editor: PostgreSQL only. */
export function createImpactPreviewAnswers(env: Record<string, string | undefined> = process.env, pool?: PostgresPool) {
  const database = openDatabase(env, pool);
  const previews = createPostgresImpactPreviewStore(database.pool);
  return { record: (answer: ImpactPreviewComputed) => previews.answer(answer), close: () => database.close() };
}

/** The outbox relay: publishes the approved definitions when an approval or a restore asked for it. */
export function createRuleSetRelay(env: Record<string, string | undefined> = process.env, pool?: PostgresPool) {
  // Two connections at least: one holds the outbox rows locked while the other reads the approved definitions and
  // records the publication (a function's pool is one connection otherwise, and the relay would wait on itself).
  const ingestion = createRulesIngestion(
    { ...env, PG_POOL_MAX: String(Math.max(2, Number(env['PG_POOL_MAX'] ?? 2))) },
    pool,
  );
  const outbox = createPostgresRuleSetOutbox(ingestion.pool);
  return {
    relay: () => relayRuleSetOutbox(outbox, (publishedBy) => ingestion.publish(publishedBy)),
    close: () => ingestion.close(),
  };
}
