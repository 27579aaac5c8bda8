/**
 * The one place in marketing-events that reads configuration and builds clients: the dispatcher's wiring takes
 * ready-made parts from here (the platforms from their settings, secrets from SSM in AWS; the HTTP transport; the
 * delivery ledger).
 */
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { commaSeparated, loadConfig } from '@backbone/shared';
import { z } from 'zod';
import type { Destination } from './domain/destination';
import type { HttpTransport } from './domain/outcome';
import { settingsOf, type AnyPlatform } from './domain/platform';
import { PLATFORMS } from './domain/platforms';

export const SERVICE = 'marketing-events';

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
