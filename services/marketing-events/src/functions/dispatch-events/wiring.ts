/**
 * The dispatcher's side effects: configuration, the platforms' secrets (SSM in AWS), the HTTP transport, the
 * delivery ledger (DynamoDB), the DLQ and the source queue's visibility. The handler takes its parts from here.
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import {
  commaSeparated,
  createDocumentClient,
  createLogger,
  createMetrics,
  createSsmClient,
  loadConfig,
  sqsConsumerConfigSchema,
  sqsConsumerSideEffects,
} from '@backbone/shared';
import { createDynamoDbDeliveryLedger, createDynamoDbDestinationStatusBoard } from '../../../contracts';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { createHttpTransport } from '../../adapters/http-transport';
import type { Destination } from '../../domain/destination';
import type { HttpTransport } from '../../domain/outcome';
import { settingsOf, type AnyPlatform } from '../../domain/platform';
import { PLATFORM_NAMES, PLATFORMS } from '../../domain/platforms';
import { SERVICE } from '../../service';
import type { DeadLetterSink, Logger, Metrics, RetryBackoff } from '@backbone/shared';
import type { DestinationStatusBoard } from '../../../contracts';
import type { DeliveryLedger } from '../../domain/dispatch';
import type { Routing } from '../../domain/platforms';

export interface DispatchEventsDeps {
  destinations: readonly Destination[];
  ledger: DeliveryLedger;
  /** Where each platform's latest answers are noted, for the dead-letter console's dry runs. */
  statusBoard?: DestinationStatusBoard;
  deadLetters: DeadLetterSink;
  maxReceiveCount: number;
  logger: Logger;
  backoff?: RetryBackoff;
  metrics?: Metrics;
  routing?: Routing;
  now?: () => Date;
}

export const dispatcherConfigSchema = sqsConsumerConfigSchema.extend({
  DELIVERIES_TABLE: z.string().min(3),
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(5),
  RETRY_MAX_SECONDS: z.coerce.number().positive().default(300),
  DESTINATIONS: commaSeparated.pipe(z.array(z.enum(PLATFORM_NAMES as [string, ...string[]]))),
  // Long enough that a slow answer is rarely abandoned: an abandoned request that the platform did
  // commit is sent again, and only Meta and the webhook's receivers deduplicate; GA4 does not.
  DESTINATION_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
});

export type DispatcherConfig = z.infer<typeof dispatcherConfigSchema>;

type Environment = Record<string, string | undefined>;
const valueOf = (env: Environment, name: string): string | undefined => (env[name] === '' ? undefined : env[name]);

/**
 * A secret is either in the environment (locally: the sandbox's values) or, in AWS, named by
 * `<NAME>_PARAMETER`: an SSM SecureString read at cold start, never written to serverless.yml or logs.
 */
async function readSecret(env: Environment, name: string, ssm: () => SSMClient): Promise<string> {
  const parameter = valueOf(env, `${name}_PARAMETER`);
  if (parameter) {
    const value = await getParameter(parameter, { decrypt: true, maxAge: 300, sdkClient: ssm() });
    if (!value) throw new Error(`SSM parameter ${parameter} (for ${name}) is empty`);
    return value;
  }
  const value = valueOf(env, name);
  if (!value) throw new Error(`set ${name} (locally) or ${name}_PARAMETER (an SSM SecureString name, in AWS)`);
  return value;
}

/** A platform's settings from the environment, each checked; every problem at once, naming the variable. */
async function settingsFor(platform: AnyPlatform, env: Environment, ssm: () => SSMClient): Promise<Environment> {
  const values: Environment = {};
  const problems: string[] = [];
  for (const [field, setting] of settingsOf(platform)) {
    const value = setting.secret
      ? await readSecret(env, setting.env, ssm)
      : (valueOf(env, setting.env) ?? setting.default);
    if (value === undefined) {
      if (!setting.optional) problems.push(`set ${setting.env}`);
      continue;
    }
    const checked = setting.schema?.safeParse(value);
    if (checked && !checked.success) problems.push(`${setting.env}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
    values[field] = value;
  }
  if (problems.length > 0) throw new Error(`destination ${platform.name} is enabled: ${problems.join('; ')}`);
  return values;
}

/** Each platform named in DESTINATIONS, made from its settings (secrets from SSM in AWS). */
export async function buildDestinations(
  env: Environment,
  http: HttpTransport,
  /** Called only if some secret is in SSM; the same client serves them all. */
  ssm: () => SSMClient,
  platforms: readonly AnyPlatform[] = PLATFORMS,
): Promise<Destination[]> {
  const names = loadConfig(z.object({ DESTINATIONS: commaSeparated }), env, `${SERVICE}/dispatchEvents`).DESTINATIONS;
  const unknown = names.filter((name) => !platforms.some((p) => p.name === name));
  if (unknown.length > 0)
    throw new Error(
      `DESTINATIONS names ${unknown.join(', ')}, which is not a platform; platforms: ${platforms.map((p) => p.name).join(', ')}`,
    );
  return Promise.all(
    names.map(async (name) => {
      const platform = platforms.find((p) => p.name === name)!;
      return platform.create(await settingsFor(platform, env, ssm), http);
    }),
  );
}

export async function wireDispatcher(
  env: Record<string, string | undefined> = process.env,
): Promise<DispatchEventsDeps> {
  const config = loadConfig(dispatcherConfigSchema, env, `${SERVICE}/dispatchEvents`);
  const { aws, deadLetters, backoff, maxReceiveCount } = sqsConsumerSideEffects(config);
  let ssm: SSMClient | undefined;
  const documents = createDocumentClient(aws);
  return {
    destinations: await buildDestinations(
      env,
      createHttpTransport(config.DESTINATION_TIMEOUT_MS),
      () => (ssm ??= createSsmClient(aws)),
    ),
    ledger: createDynamoDbDeliveryLedger(documents, config.DELIVERIES_TABLE),
    statusBoard: createDynamoDbDestinationStatusBoard(documents, config.DELIVERIES_TABLE),
    deadLetters,
    backoff,
    maxReceiveCount,
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
