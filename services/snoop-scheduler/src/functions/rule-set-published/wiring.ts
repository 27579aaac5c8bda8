import { ECSClient } from '@aws-sdk/client-ecs';
import {
  createDocumentClient,
  createSecretsManagerClient,
  createLogger,
  createMetrics,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { z } from 'zod';
import { refreshSecretReader } from '../../adapters/refresh-secret';
import { confirmServedVersion, createDynamoDbRuleSetStore } from '../../adapters/dynamodb-rule-set-store';
import {
  ecsEngineTargets,
  recordEngineVersion,
  refreshOverHttp,
  staticEngineTargets,
} from '../../adapters/engine-targets';
import { SERVICE } from '../../composition-root';
import type { SqsConsumerDeps } from '@backbone/shared';
import type { RuleSetStore } from '../../domain/active-rule-set';
import type { EngineRefreshPorts } from '../../domain/engine-refresh';

export interface RuleSetPublishedDeps extends SqsConsumerDeps {
  store: RuleSetStore;
  /** Tells every engine container to load the version that became active (the refresh step). */
  engines?: EngineRefreshPorts;
  now?: () => Date;
}

const ruleSetPublishedConfigSchema = sqsConsumerConfigSchema.extend({
  RULE_SETS_TABLE: z.string().min(3),
  /** Locally: the engine processes' own addresses, comma-separated. In AWS unset: the ECS service's tasks. */
  ENGINE_INSTANCE_URLS: z.string().optional(),
  ENGINE_CLUSTER: z.string().optional(),
  ENGINE_SERVICE: z.string().optional(),
  /** Locally, from the stage's settings; in AWS the secret's ARN. */
  RULES_REFRESH_SECRET: z.string().optional(),
  RULES_REFRESH_SECRET_ARN: z.string().optional(),
});

/** The function's side effects: the rule-sets table, its DLQ, and the source queue's visibility for backoff. */
export function wireRuleSetPublished(env: Record<string, string | undefined> = process.env): RuleSetPublishedDeps {
  const config = loadConfig(ruleSetPublishedConfigSchema, env, `${SERVICE}/ruleSetPublished`);
  const { aws, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  const documents = createDocumentClient(aws);
  const discover = config.ENGINE_INSTANCE_URLS
    ? staticEngineTargets(config.ENGINE_INSTANCE_URLS.split(',').map((url) => url.trim()))
    : config.ENGINE_CLUSTER && config.ENGINE_SERVICE
      ? ecsEngineTargets(new ECSClient({ region: aws.region }), config.ENGINE_CLUSTER, config.ENGINE_SERVICE)
      : undefined;
  return {
    store: createDynamoDbRuleSetStore(documents, config.RULE_SETS_TABLE),
    ...(discover
      ? {
          engines: {
            discover,
            refresh: refreshOverHttp(refreshSecretReader(config, () => createSecretsManagerClient(aws))),
            record: recordEngineVersion(documents, config.RULE_SETS_TABLE),
            confirmServed: confirmServedVersion(documents, config.RULE_SETS_TABLE),
          },
        }
      : {}),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
