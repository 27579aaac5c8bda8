/**
 * device-ownership's public face for local runs and tooling (`@backbone/device-ownership/local`): its CQL migrations
 * (applied by provisioning, CI and npm start), the environment its functions run with locally, and the parts the
 * simulation, the benchmark and the tests build on.
 */
import path from 'node:path';
import type { LocalContext, LocalServiceFace } from '@backbone/shared/local';
import { migrateDeviceTables } from '../src/composition-root';
import { demoDevices } from './demo';

export { loadDevicePolicy, migrateDeviceTables, openDeviceStores } from '../src/composition-root';
export { DEFAULT_POLICY, decideSignUp, decideSignUpLegacy, rulesVersion } from '../src/domain/rules';
export type { Decision, DevicePolicy } from '../src/domain/rules';
export { checkSignUp } from '../src/domain/signup-check';
export { signLocalVerdict, verdictKeysFile } from './attestation';
export { ingestDeviceEvent } from '../src/domain/ingest';

/** The command-line tool (migrate, history, check); run it with the environment from functionEnvironment. */
export const CLI = path.join(__dirname, '..', 'src', 'cli.ts');

/** The environment the service's functions see locally (the local cloud's, with serverless.yml's settings). */
export async function functionEnvironment(context: LocalContext): Promise<Record<string, string | undefined>> {
  const resolved = await context.serverless();
  return { ...context.env, ...(resolved.functions['signUpCheck']?.environment ?? {}) };
}

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  async migrate(context) {
    const env = await functionEnvironment(context);
    const applied = await migrateDeviceTables(env, context.log);
    return [
      `Cassandra keyspace ${env['CASSANDRA_KEYSPACE']}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'schema up to date'}`,
    ];
  },
  demo: async (context) => demoDevices(context, await functionEnvironment(context)),
};
export {
  DEFAULT_MARKET,
  decisionsByReason,
  GENUINE_KINDS,
  generateMonth,
  replayMonth,
  summarise,
  type ApplicantKind,
  type MarketParameters,
  type WorldResult,
} from './simulation';
