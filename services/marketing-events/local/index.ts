/**
 * marketing-events' public face for local runs and tooling (`@backbone/marketing-events/local`): the
 * marketing-platform sandbox it delivers to locally, npm start's demo, and the in-memory dispatcher benchmarks
 * measure. Scripts and other services' tests use only this; everything under src/ stays internal.
 */
import type { LocalServiceFace } from '@backbone/shared/local';
import { demoMarketing } from './demo';
import { SANDBOX_PORT, startMarketingSandbox } from './sandbox';

export { createInMemoryDispatcher, expectedDelivery } from './in-memory';
export {
  LOCAL_SANDBOX_CREDENTIALS,
  countsFor,
  MARKETING_PLATFORMS,
  matchKeyCoverage,
  SANDBOX_PORT,
  sandboxClient,
  startMarketingSandbox,
  type MarketingSandbox,
  type Platform,
  type SandboxFaults,
  type SandboxReceived,
  type StandIn,
} from './sandbox';

const SANDBOX_URL = `http://127.0.0.1:${SANDBOX_PORT}`;

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  async start(context) {
    const sandbox = await startMarketingSandbox({ log: context.log });
    return [{ name: 'marketing-platform sandbox (Meta, GA4, webhook)', url: sandbox.url, stop: () => sandbox.close() }];
  },
  demo: (context) => demoMarketing(context, SANDBOX_URL),
};
