import type { LaunchSpec } from '../processes';

/** One part of the local cloud: how it is installed, started, and known to be ready. One file each, beside this one. */
export interface Component {
  name: string;
  port: number;
  what: string;
  /** Idempotent; downloads into CLOUD_DIR on first use only. */
  install(): Promise<void>;
  /** Installs through Maven, whose local repository does not take concurrent writers. */
  installsWithMaven?: boolean;
  /** Writes configuration and initialises data directories before each start. */
  prepare?(): Promise<void>;
  launch(): LaunchSpec;
  /** Resolves when the component answers a real request; rejects otherwise. */
  probe(): Promise<void>;
  /** Folders holding its data (not its download), removed by "npm run cloud:wipe" once it is stopped. */
  dataDirs?(): string[];
  /** One-off set-up once ready (roles, databases). Idempotent. */
  afterReady?(): Promise<void>;
  startTimeoutMs: number;
}

export class InstallError extends Error {
  override name = 'InstallError';
}
