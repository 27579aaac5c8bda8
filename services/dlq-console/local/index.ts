/**
 * dlq-console's public face for local runs and tooling (`@backbone/dlq-console/local`): the environment its
 * functions and command line run with locally, and the parts tests and the benchmark drive.
 */
import path from 'node:path';
import { deliveriesTableName } from '@backbone/marketing-events/contracts';
import type { LocalContext, LocalServiceFace } from '@backbone/shared/local';
import { demoDeadLetterConsole } from './demo';
import { ensureIssuerKeys } from './identity';
import { startIdentityServer } from './identity-server';
import type { DeadLetter } from '../src/domain/dead-letters';
import type { DeadLetterIndex } from '../src/domain/ports';
import { everySelected } from '../src/domain/selection';
export { LOCAL_PEOPLE, IDENTITY_PORT } from './identity-server';
export { ensureIssuerKeys, LOCAL_CLIENT_ID, LOCAL_EDITOR_CLIENT_ID, LOCAL_ISSUER, localSignIn } from './identity';

export { openConsoleStores, openDeadLetterConsole } from '../src/composition-root';
export { groupDeadLetters, normaliseReason, positionOf } from '../src/domain/dead-letters';
export type { DeadLetterView } from '../src/domain/views';
export type { DeadLetter, DeadLetterFilter, DeadLetterGroup } from '../src/domain/dead-letters';
export { sweepDeadLetters } from '../src/domain/indexing';

/** Every dead letter the index holds for a DLQ, bodies included (for tests and benchmarks: small DLQs). */
export async function indexedLetters(index: DeadLetterIndex, dlq: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for await (const page of everySelected(index, dlq, {}, { now: Date.now(), bodies: true })) letters.push(...page);
  return letters;
}
export { rolesFrom, type Actor } from '../src/domain/access';
export type { RedriveOutcome, RedrivePlan, RedriveProgress } from '../src/domain/redrive';

/**
 * The console's environment for a stage's local run, its tables named as serverless.yml names them: for tests and
 * benchmarks that drive the library directly.
 */
export const localConsoleEnvironment = (stage = 'local', env: Record<string, string | undefined> = process.env) => ({
  ...env,
  STAGE: stage,
  INDEX_TABLE: `dlq-console-${stage}-dead-letters`,
  AUDIT_TABLE: `dlq-console-${stage}-audit`,
  AUDIT_QUEUE_NAME: `dlq-console-${stage}-audit-entries`,
  DELIVERIES_TABLE: deliveriesTableName(stage),
});

/** The command-line tool (queues, messages, groups, redrive, audit); run it with functionEnvironment's variables. */
export const CLI = path.join(__dirname, '..', 'src', 'cli.ts');

/** The environment the console's functions and command line see locally (the local cloud's, with its tables). */
export async function functionEnvironment(context: LocalContext): Promise<Record<string, string | undefined>> {
  const resolved = await context.serverless();
  // STAGE is set for every function at the provider level, which the resolved functions do not repeat.
  return { ...context.env, STAGE: context.stage, ...(resolved.functions['runRedrives']?.environment ?? {}) };
}

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  // Shows what marketing-events' demo left in its DLQ.
  demoAfter: ['marketing-events'],
  // The local identity provider's keys, made once: the API's local check and localSignIn use them.
  async start(context) {
    ensureIssuerKeys(context.env);
    const identity = await startIdentityServer(context.env);
    return [
      { name: 'dead-letter console (sign in as a local person)', url: 'http://127.0.0.1:3050/', stop: identity.close },
    ];
  },
  demo: async (context) => demoDeadLetterConsole(context, await functionEnvironment(context)),
};
