import { createLogger, createMetrics } from '@backbone/shared';
import { loadDevicePolicy, openDeviceStores, SERVICE } from '../../composition-root';
import type { Logger, Metrics } from '@backbone/shared';
import type { SignUpDecisionPorts } from '../../domain/signup-check';
import { createSignedVerdictVerifier, verdictKeysFrom } from '../../adapters/attestation-verdicts';

export interface SignUpCheckDeps extends SignUpDecisionPorts {
  logger: Logger;
  metrics?: Metrics;
}

/**
 * The sign-up check's side effects: Cassandra (one partition read; a compare-and-set when it binds), and the verdict
 * service's public keys.
 */
export function wireSignUpCheck(env: Record<string, string | undefined> = process.env): SignUpCheckDeps {
  return {
    store: openDeviceStores(env).decisions,
    policy: loadDevicePolicy(env),
    verdicts: createSignedVerdictVerifier(verdictKeysFrom(env)),
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
