/**
 * The rules engine container's composition root: the only place that reads its configuration and builds clients.
 * The container's command and the local processes' command are the same: `node engine.js` (this file, bundled).
 *
 * It listens at once (health answers 503 until a rule set is loaded), loads the active rule set (retrying until
 * there is one), and on SIGTERM stops taking connections, finishes the requests in flight and closes its pool.
 */
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createDocumentClient,
  createLogger,
  createMetrics,
  createS3Client,
  createSecretsManagerClient,
  createSignatureVerifier,
  loadConfig,
  MetricUnit,
} from '@backbone/shared';
import { createPostgresPool, postgresEnvironmentSchema } from '@backbone/shared/postgres';
import { z } from 'zod';
import { readCustomers } from '../src/adapters/customer-store';
import { createSignedBatchWrite } from '../src/adapters/dynamodb-batch-write';
import { createDynamoDbFenceStore, createDynamoDbResultWriter } from '../src/adapters/dynamodb-snoop-results';
import { signingSecretsReader } from '../src/adapters/refresh-secret';
import { createRuleSetSource } from '../src/adapters/rule-set-source';
import { RuleSetHolder } from '../src/domain/rule-sets';
import { createRunFenceGuard, DEFAULT_FENCE_TIMINGS } from './domain/run-fence';
import { SERVICE } from '../src/composition-root';
import { createEngineServer, type EngineMetrics } from './server';
import { withoutTracing, xrayTracer } from './tracing';

export const engineEnvironmentSchema = awsEnvironmentSchema
  .extend(postgresEnvironmentSchema.shape)
  .extend({
    PORT: z.coerce.number().int().min(1).max(65_535).default(8080),
    RULE_SETS_TABLE: z.string().min(1),
    SNOOP_RESULTS_TABLE: z.string().min(1),
    SNOOP_RUNS_TABLE: z.string().min(1),
    /** Locally, from the stage's settings. In AWS leave it unset and name the secret in RULES_REFRESH_SECRET_ARN. */
    RULES_REFRESH_SECRET: z.string().min(16).optional(),
    RULES_REFRESH_SECRET_ARN: z.string().min(1).optional(),
    ENGINE_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .default('GBP'),
    RESULTS_KEEP_DAYS: z.coerce.number().int().min(1).max(400).default(35),
    ENGINE_MAX_WINDOW_DAYS: z.coerce.number().int().min(1).max(400).default(400),
    /** How long a request may spend writing its results (DynamoDB throttling) before it answers 503. */
    ENGINE_WRITE_DEADLINE_MS: z.coerce.number().int().positive().default(8_000),
    ENGINE_INSTANCE: z.string().default('engine'),
    // X-Ray, through the daemon beside the engine in its task (engine/tracing.ts); off locally (no daemon).
    ENGINE_TRACING: z.enum(['true', 'false']).default('false'),
    AWS_XRAY_DAEMON_ADDRESS: z.string().default('127.0.0.1:2000'),
  })
  .refine((env) => env.RULES_REFRESH_SECRET || env.RULES_REFRESH_SECRET_ARN, {
    message: 'set RULES_REFRESH_SECRET_ARN (Secrets Manager) or, locally, RULES_REFRESH_SECRET',
    path: ['RULES_REFRESH_SECRET_ARN'],
  });

const METRICS_FLUSH_MS = 10_000;
const FIRST_LOAD_RETRY_MS = 2_000;

/** Counts add up between flushes; latency keeps each request's value (Powertools flushes at 100 per metric). */
function engineMetrics(flushEveryMs: number): EngineMetrics & { flush(): void; stop(): void } {
  const metrics = createMetrics(SERVICE);
  const totals = { evaluations: 0, qualified: 0, errors: 0, requestFailures: 0, loadFailures: 0 };
  let version: string | undefined;
  const flush = () => {
    metrics.addMetric('Evaluations', MetricUnit.Count, totals.evaluations);
    metrics.addMetric('Qualified', MetricUnit.Count, totals.qualified);
    metrics.addMetric('ItemErrors', MetricUnit.Count, totals.errors);
    metrics.addMetric('RequestFailures', MetricUnit.Count, totals.requestFailures);
    metrics.addMetric('RuleSetLoadFailures', MetricUnit.Count, totals.loadFailures);
    if (version) metrics.addMetadata('rulesVersion', version);
    metrics.publishStoredMetrics();
    Object.assign(totals, { evaluations: 0, qualified: 0, errors: 0, requestFailures: 0, loadFailures: 0 });
  };
  const timer = setInterval(flush, flushEveryMs);
  timer.unref();
  return {
    evaluated(request) {
      totals.evaluations += request.evaluations;
      totals.qualified += request.qualified;
      totals.errors += request.errors;
      version = request.version;
      metrics.addMetric('RequestLatency', MetricUnit.Milliseconds, request.latencyMs);
    },
    failed(kind) {
      if (kind === 'request') totals.requestFailures++;
      else totals.loadFailures++;
    },
    flush,
    stop: () => clearInterval(timer),
  };
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(engineEnvironmentSchema, env, 'rules engine');
  const logger = createLogger(SERVICE);
  logger.appendKeys({ component: 'rules-engine', instance: config.ENGINE_INSTANCE });
  const aws = awsClientSettings(config);
  const documents = createDocumentClient(aws);
  // Results go by signed BatchWriteItem requests (dynamodb-batch-write.ts) with the SDK's credentials; the writer
  // retries by itself, asking the run fence before each request, and each request is bounded in time.
  const batchWrite = createSignedBatchWrite({
    region: config.AWS_REGION,
    ...(aws.endpoints.dynamodb ? { endpoint: aws.endpoints.dynamodb } : {}),
    credentials: documents.config.credentials,
    requestTimeoutMs: DEFAULT_FENCE_TIMINGS.writeTimeoutMs,
  });
  const secretsClient =
    config.RULES_REFRESH_SECRET_ARN || config.PGPASSWORD_SECRET_ARN ? createSecretsManagerClient(aws) : undefined;
  const pool = createPostgresPool(config, secretsClient);
  const metrics = engineMetrics(METRICS_FLUSH_MS);

  const rules = new RuleSetHolder({
    source: createRuleSetSource(documents, createS3Client(aws), config.RULE_SETS_TABLE),
    currency: config.ENGINE_CURRENCY,
    onLoaded: (loaded) =>
      logger.info('rule set loaded', {
        version: loaded.version,
        activeRules: loaded.ruleSet.activeIds.length,
        loadMs: Math.round(loaded.loadMs),
      }),
    onFailed: () => metrics.failed('rule-set-load'),
  });
  // Every call but /health is signed with the engine's secret; the previous one still counts during a rotation.
  const verifySignature = createSignatureVerifier({ secrets: signingSecretsReader(config, () => secretsClient!) });

  const server = createEngineServer({
    rules,
    readCustomers: (ids, options) => readCustomers(pool, ids, options),
    results: createDynamoDbResultWriter(batchWrite, config.SNOOP_RESULTS_TABLE, {
      keepDays: config.RESULTS_KEEP_DAYS,
      deadlineMs: config.ENGINE_WRITE_DEADLINE_MS,
    }),
    fence: createRunFenceGuard(createDynamoDbFenceStore(documents, config.SNOOP_RUNS_TABLE)),
    verifySignature,
    maxWindowDays: config.ENGINE_MAX_WINDOW_DAYS,
    metrics,
    logger,
    tracer:
      config.ENGINE_TRACING === 'true'
        ? xrayTracer({ name: `${SERVICE}-engine`, daemonAddress: config.AWS_XRAY_DAEMON_ADDRESS })
        : withoutTracing,
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, resolve));
  logger.info('listening', { port: config.PORT });

  let stopping = false;
  const firstLoad = async (): Promise<void> => {
    let lastReason = '';
    while (!stopping && !rules.current) {
      const outcome = await rules.refresh();
      if (outcome.ok && outcome.insteadOfActive)
        logger.warn('the active rule set cannot be loaded: serving the last version engines served', {
          serving: outcome.version,
          active: outcome.insteadOfActive.version,
          reason: outcome.insteadOfActive.reason,
        });
      if (outcome.ok) return;
      // Said once per distinct reason, not every two seconds.
      if (outcome.reason !== lastReason) logger.warn('no rule set loaded yet; retrying', { reason: outcome.reason });
      lastReason = outcome.reason;
      await new Promise((resolve) => setTimeout(resolve, FIRST_LOAD_RETRY_MS));
    }
  };
  void firstLoad();

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping: finishing requests in flight', { signal });
    server.close(() => {
      metrics.flush();
      metrics.stop();
      void pool.end().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
