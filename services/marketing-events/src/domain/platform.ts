import type { MarketingEventType } from '../../contracts';
import type { z } from 'zod';
import type { Destination } from './destination';
import type { HttpTransport } from './outcome';

/**
 * One setting a platform needs, and the environment variable it comes from. A secret is never in serverless.yml:
 * locally it is the variable itself; in AWS `<VARIABLE>_PARAMETER` names the SSM SecureString holding it.
 */
export interface PlatformSetting {
  env: string;
  secret?: boolean;
  /** Used when the variable is not set; a setting with neither a value nor a default must be set. */
  default?: string;
  optional?: boolean;
  /** Checked once, at cold start, with the variable's name in the error. */
  schema?: z.ZodType<string>;
}

/**
 * A marketing platform, whole: its name, the event types it takes unless the routing says otherwise, its
 * settings, and how to make its destination from them. Adding a platform is one file exporting one of these,
 * registered in platforms.ts, and its settings in serverless.yml.
 */
export interface Platform<S extends object = Record<string, string | undefined>> {
  readonly name: string;
  readonly routes: readonly MarketingEventType[];
  readonly settings: { readonly [K in keyof S]-?: PlatformSetting };
  create(settings: S, http: HttpTransport): Destination;
}

/** Keeps a platform's settings and its create() in step: one setting for each of S's fields. */
export const definePlatform = <S extends object>(platform: Platform<S>): Platform<S> => platform;

/** A platform of any settings, as the registry holds them. */
export type AnyPlatform = Platform<object>;

/** Its settings as [field, setting] pairs. */
export const settingsOf = (platform: AnyPlatform): [string, PlatformSetting][] =>
  Object.entries(platform.settings as Record<string, PlatformSetting>);
