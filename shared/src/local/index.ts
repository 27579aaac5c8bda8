/**
 * What a service brings to a local run: the contract between a service's public face for tooling
 * (`services/<name>/local/index.ts`, imported as `@backbone/<name>/local`) and the scripts that
 * provision, start, package and demonstrate the system. Scripts ask every face the same questions and
 * never name a service; a service keeps everything else internal.
 */

/**
 * How a service runs. `lambdas`: a Serverless Framework service (serverless.yml: its resources and
 * functions; serverless-offline runs it locally). `container`: a long-running HTTP service built from a
 * Dockerfile (ECS in AWS), started locally by its face. `lambdas-and-container`: both.
 */
export type ServiceKind = 'lambdas' | 'container' | 'lambdas-and-container';

export const SERVICE_KINDS: readonly ServiceKind[] = ['lambdas', 'container', 'lambdas-and-container'];

export const hasLambdas = (kind: ServiceKind): boolean => kind !== 'container';

/** What a face is handed: the local environment and, for Serverless services, their resolved settings. */
export interface LocalContext {
  /** The environment services read, pointing at the local cloud (AWS endpoint, credentials, databases). */
  env: Readonly<Record<string, string | undefined>>;
  /** The deployment stage the local run stands for ("local"). */
  stage: string;
  /**
   * This service's serverless.yml resolved for the stage (`serverless print`): its `custom` section and each
   * function's environment. Only for services that have Lambdas.
   */
  serverless: () => Promise<ResolvedServerless>;
  /** Progress for a person watching (npm start, provisioning). */
  log: (line: string) => void;
}

export interface ResolvedServerless {
  custom: Record<string, unknown>;
  functions: Record<string, { environment?: Record<string, string> }>;
}

/** A process a service needs beside its functions locally: a stand-in for a third party, a container. */
export interface LocalProcess {
  name: string;
  /** Where a person or a test reaches it. */
  url?: string;
  stop(): Promise<void>;
}

/** The questions every script asks every service; a service answers those that apply to it. */
export interface LocalServiceFace {
  kind: ServiceKind;
  /** Applies the service's schema migrations of every kind (SQL, CQL). Returns what it did, one line per store. */
  migrate?(context: LocalContext): Promise<string[]>;
  /** Loads demo or reference data (idempotent). Returns what it did. */
  seed?(context: LocalContext): Promise<string[]>;
  /** Starts the processes the service needs locally besides its functions (stand-ins, containers). */
  start?(context: LocalContext): Promise<LocalProcess[]>;
  /** npm start's story for this service: sends demo traffic and says what happened, one line per fact. */
  demo?(context: LocalContext): Promise<string[]>;
  /** Services whose demo must have run before this one's (their traffic is what this one shows). */
  demoAfter?: readonly string[];
}
export * from './table';
export * from './command-line';
