import { PermanentError } from '@backbone/shared';
import { type RuleSetPublished } from '../../contracts';

/** Clock skew tolerated between rules-ingestion and us; beyond it an announcement is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** What the engine needs to know to load a rule set. */
export interface RuleSetVersion {
  ruleSetVersion: string;
  bucket: string;
  key: string;
  checksumSha256: string;
  ruleCount: number;
  publishedAt: string;
  publishedBy: string;
}

export type ActivationOutcome = 'activated' | 'already-active' | 'superseded';

/** Storage port; the DynamoDB adapter implements it, unit tests use an in-memory one. */
export interface RuleSetStore {
  /** Keeps a history entry per version; writing the same version twice changes nothing. */
  recordVersion(version: RuleSetVersion): Promise<void>;
  /**
   * Makes this version the active one unless a later publication is already active.
   * Returns what happened; never throws for an out-of-order announcement.
   */
  activate(version: RuleSetVersion): Promise<ActivationOutcome>;
}

export function toRuleSetVersion(event: RuleSetPublished): RuleSetVersion {
  return {
    ruleSetVersion: event.ruleSetVersion,
    bucket: event.location.bucket,
    key: event.location.key,
    checksumSha256: event.checksumSha256,
    ruleCount: event.ruleCount,
    publishedAt: event.publishedAt,
    publishedBy: event.publishedBy,
  };
}

/**
 * A rule set was published: remember it, and point the engine at it unless a
 * newer one already is. SQS may deliver announcements twice or out of order;
 * both are harmless here.
 */
export async function recordPublishedRuleSet(
  event: RuleSetPublished,
  store: RuleSetStore,
  now: Date = new Date(),
): Promise<ActivationOutcome> {
  // The newest publication wins, so one dated in the future would shadow every later rule set.
  if (Date.parse(event.publishedAt) > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new PermanentError(
      `rule set ${event.ruleSetVersion} says it was published at ${event.publishedAt}, after ${now.toISOString()}: ` +
        `refused, so that it cannot shadow rule sets published later. Check the publisher's clock, then publish again.`,
    );
  }
  const version = toRuleSetVersion(event);
  await store.recordVersion(version);
  return store.activate(version);
}
