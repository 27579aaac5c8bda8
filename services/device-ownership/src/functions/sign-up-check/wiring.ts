import { createLogger, createMetrics } from '@backbone/shared';
import { loadDevicePolicy, openDeviceStores, SERVICE } from '../../composition-root';
import type { Logger, Metrics } from '@backbone/shared';
import type { SignUpDecisionPorts } from '../../domain/signup-check';

export interface SignUpCheckDeps extends SignUpDecisionPorts {
  logger: Logger;
  metrics?: Metrics;
}

/** The sign-up check's side effects: Cassandra only (one partition read; a compare-and-set when it binds). */
export function wireSignUpCheck(env: Record<string, string | undefined> = process.env): SignUpCheckDeps {
  return {
    store: openDeviceStores(env).decisions,
    policy: loadDevicePolicy(env),
    logger: createLogger(SERVICE),
    metrics: createMetrics(SERVICE),
  };
}
