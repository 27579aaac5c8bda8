import type http from 'node:http';

/**
 * A local stand-in for one marketing platform: the endpoints it answers, the checks the platform makes, and
 * its answers. The sandbox's server does the rest for every platform alike (faults, counting, the control API).
 */
export interface StandIn {
  /** The platform's name in the registry (src/domain/platforms.ts). */
  platform: string;
  /** Does this request path belong to the platform? */
  matches(path: string): boolean;
  /** Checks a request whose body is JSON and answers it, accepting events or rejecting the request. */
  handle(request: StandInRequest): void;
  /** The platform's error body for a request that is not JSON, or for an injected failure. */
  errorBody?(message: string, kind: 'not-json' | 'injected' | 'refused'): unknown;
  /** Requests on this path never fail by injection (GA4's validation endpoint). */
  neverFails?(path: string): boolean;
  /**
   * The platform keeps a request whose caller stopped waiting for the answer (GA4's collect commits on receipt):
   * the sandbox then counts it, so that a retry after a client timeout shows as the duplicate it would be.
   * Otherwise the sandbox cancels it, as a platform that commits only what it answers.
   */
  keepsAbandoned?: boolean;
  /**
   * The platform acts once on an event received again under the same id (Meta on event_id and event_name; a webhook
   * receiver on eventId, as the README's receiver contract asks). GA4 does not: each duplicate counts twice there.
   */
  deduplicates: boolean;
}

export interface StandInRequest {
  raw: http.IncomingMessage;
  url: URL;
  path: string;
  /** The body as sent (signatures cover it) and as parsed. */
  text: string;
  body: Record<string, unknown>;
  credentials: SandboxCredentials;
  /**
   * Records accepted events by "<name>:<event id>" (duplicates are counted by that key), and for each the match keys
   * it carried (email, phone, name, dateOfBirth, country, externalId).
   */
  accept: (ids: readonly string[], matchKeys?: readonly (readonly string[])[]) => void;
  /** Counts a rejected request and answers it. */
  reject: (status: number, body: unknown) => void;
  /** Counts a rejected request that the platform nonetheless answers as accepted (GA4's collect). */
  countRejected: () => void;
  respond: (status: number, body?: unknown) => void;
}

/** What the stand-ins check callers with (the local stage's values in serverless.common.yml). */
export interface SandboxCredentials {
  metaAccessToken: string;
  metaDatasetId: string;
  ga4ApiSecret: string;
  ga4FirebaseAppId: string;
  webhookSigningKey: string;
}
