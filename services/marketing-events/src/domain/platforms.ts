import { MARKETING_EVENT_CONTRACTS, type MarketingEventType } from '../../contracts';
import { ga4Platform } from './ga4';
import { metaPlatform } from './meta';
import type { AnyPlatform } from './platform';
import { webhookPlatform } from './webhook';

/**
 * Every marketing platform the dispatcher can deliver to. The one list: the configuration's DESTINATIONS, the
 * default routing and the local sandbox's stand-ins all derive from it.
 */
export const PLATFORMS: readonly AnyPlatform[] = [metaPlatform, ga4Platform, webhookPlatform];

export const PLATFORM_NAMES: readonly string[] = PLATFORMS.map((p) => p.name);

/** Which platforms each event type goes to. */
export type Routing = Readonly<Record<MarketingEventType, readonly string[]>>;

/** Each event type goes to every platform that takes it. */
export function routingOf(platforms: readonly AnyPlatform[]): Routing {
  const routing: Partial<Record<MarketingEventType, readonly string[]>> = {};
  for (const { type } of MARKETING_EVENT_CONTRACTS)
    routing[type] = platforms.filter((p) => p.routes.includes(type)).map((p) => p.name);
  return routing as Routing;
}

export const DEFAULT_ROUTING: Routing = routingOf(PLATFORMS);

export function platformNamed(name: string): AnyPlatform {
  const platform = PLATFORMS.find((p) => p.name === name);
  if (!platform) throw new Error(`unknown marketing platform "${name}"; platforms: ${PLATFORM_NAMES.join(', ')}`);
  return platform;
}
