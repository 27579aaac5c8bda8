export {
  LOCAL_SANDBOX_CREDENTIALS,
  countsFor,
  MARKETING_PLATFORMS,
  missingStandIns,
  SANDBOX_PORT,
  sandboxClient,
  STAND_INS,
  startMarketingSandbox,
  type MarketingSandbox,
  type Platform,
  type SandboxFaults,
  type SandboxOptions,
  type SandboxReceived,
} from './server';
export type { SandboxCredentials, StandIn, StandInRequest } from './stand-in';
export { matchKeyCoverage } from './coverage';
