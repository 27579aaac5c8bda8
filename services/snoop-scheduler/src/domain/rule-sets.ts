/**
 * The rule set an engine process serves, and how it is replaced. A request takes the current rule set once, when it
 * starts, and uses only that one: swapping is replacing one reference, so a request finishes on the version it
 * started with and every response can name it. A version that cannot be fetched, fails its checksum or does not
 * compile never replaces the one serving; the failure is kept for `/rules/version` and reported as a metric.
 */
import { createHash } from 'node:crypto';
import { compileRuleFile, formatRuleError, type CompiledRuleSet } from '@backbone/rules-language';
import type { RuleSetVersion } from './active-rule-set';

export interface LoadedRuleSet {
  version: string;
  ruleSet: CompiledRuleSet;
  loadedAt: Date;
  publishedAt: string;
  /** How long fetching, checking and compiling took. */
  loadMs: number;
}

export interface LoadFailure {
  version: string;
  reason: string;
  at: Date;
}

/** Where an engine finds rule sets: which one is active, any published one by version, and the files' bytes. */
export interface RuleSetSource {
  /**
   * The version every engine should serve (rules-ingestion's latest publication); undefined before the first. With it,
   * the newest version engines were seen serving (`lastServed`), for an engine that cannot load the active one.
   */
  active(): Promise<(RuleSetVersion & { lastServed?: string }) | undefined>;
  /** A published version (for a rollback); undefined if it was never published. */
  version(ruleSetVersion: string): Promise<RuleSetVersion | undefined>;
  /** The rules file's bytes. */
  fetch(location: { bucket: string; key: string }): Promise<Uint8Array>;
}

export type RefreshOutcome =
  | {
      ok: true;
      version: string;
      changed: boolean;
      loadMs: number;
      /** A starting engine that could not load the active version serves the last one engines served: why. */
      insteadOfActive?: { version: string; reason: string };
    }
  | { ok: false; version?: string; reason: string; serving?: string };

export interface RuleSetHolderOptions {
  source: RuleSetSource;
  /** The currency explanations quote amounts in. */
  currency: string;
  /** Compiled versions kept besides the one serving, so that rolling back to a recent one needs no fetch. */
  keep?: number;
  now?: () => Date;
  onLoaded?: (loaded: LoadedRuleSet) => void;
  onFailed?: (failure: LoadFailure) => void;
}

export class RuleSetHolder {
  private serving: LoadedRuleSet | undefined;
  private failure: LoadFailure | undefined;
  private readonly recent: LoadedRuleSet[] = [];
  /** Refreshes run one after another: the last one asked for is the one that ends up serving. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RuleSetHolderOptions) {}

  /** The rule set serving now (undefined until the first load): take it once per request. */
  get current(): LoadedRuleSet | undefined {
    return this.serving;
  }

  get lastFailure(): LoadFailure | undefined {
    return this.failure;
  }

  /**
   * Loads `ruleSetVersion`, or the active version when none is named, and swaps it in if it is good. An engine serving
   * nothing yet that cannot load the active version loads the last version engines served instead (a running engine
   * keeps its own): otherwise a new container would never become healthy while the active version is broken.
   */
  refresh(ruleSetVersion?: string): Promise<RefreshOutcome> {
    const run = this.queue.then(() => this.loadOrFallBack(ruleSetVersion));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadOrFallBack(wanted: string | undefined): Promise<RefreshOutcome> {
    let lastServed: string | undefined;
    const outcome = await this.load(wanted, (active) => (lastServed = active.lastServed));
    if (outcome.ok || wanted || this.serving || !lastServed || lastServed === outcome.version) return outcome;
    const failure = this.failure;
    const fallback = await this.load(lastServed);
    if (!fallback.ok) return outcome;
    // Still said on /rules/version and in the metric: the active version is not what this engine serves.
    this.failure = failure;
    return { ...fallback, insteadOfActive: { version: outcome.version ?? '(unknown)', reason: outcome.reason } };
  }

  /** `sawActive` is told what the active pointer said, when the active version was looked up. */
  private async load(
    wanted: string | undefined,
    sawActive?: (active: RuleSetVersion & { lastServed?: string }) => void,
  ): Promise<RefreshOutcome> {
    const now = this.options.now ?? (() => new Date());
    const serving = this.serving?.version;
    const fail = (reason: string, version?: string): RefreshOutcome => {
      this.failure = { ...(version ? { version } : { version: '(unknown)' }), reason, at: now() };
      this.options.onFailed?.(this.failure);
      return { ok: false, ...(version ? { version } : {}), reason, ...(serving ? { serving } : {}) };
    };
    let target: RuleSetVersion | undefined;
    try {
      if (wanted) target = await this.options.source.version(wanted);
      else {
        target = await this.options.source.active();
        if (target) sawActive?.(target);
      }
    } catch (error) {
      return fail(`could not look the rule set up: ${messageOf(error)}`, wanted);
    }
    if (!target)
      return fail(
        wanted
          ? `rule set ${wanted} was never published; name a version rules-ingestion published`
          : 'no rule set has been published yet; publish one with rules-ingestion (npm run rules -- publish)',
        wanted,
      );
    if (target.ruleSetVersion === serving) return { ok: true, version: serving, changed: false, loadMs: 0 };
    const kept = this.recent.find((r) => r.version === target.ruleSetVersion);
    if (kept) return this.swapIn(kept);

    const began = performance.now();
    let bytes: Uint8Array;
    try {
      bytes = await this.options.source.fetch({ bucket: target.bucket, key: target.key });
    } catch (error) {
      return fail(`could not fetch s3://${target.bucket}/${target.key}: ${messageOf(error)}`, target.ruleSetVersion);
    }
    const checksum = createHash('sha256').update(bytes).digest('hex');
    if (checksum !== target.checksumSha256)
      return fail(
        `s3://${target.bucket}/${target.key} has SHA-256 ${checksum}, not the published ${target.checksumSha256}: ` +
          'the file was changed or cut short after publication; publish the rule set again',
        target.ruleSetVersion,
      );
    const compiled = compileRuleFile(Buffer.from(bytes).toString('utf8'), { currency: this.options.currency });
    if (!compiled.ok) {
      const first = compiled.errors.slice(0, 3).map(formatRuleError).join('\n');
      return fail(
        `rule set ${target.ruleSetVersion} does not compile (${compiled.errors.length} errors):\n${first}`,
        target.ruleSetVersion,
      );
    }
    const loaded: LoadedRuleSet = {
      version: target.ruleSetVersion,
      ruleSet: compiled.ruleSet,
      loadedAt: now(),
      publishedAt: target.publishedAt,
      loadMs: performance.now() - began,
    };
    return this.swapIn(loaded);
  }

  /** A version other than the one serving (asking for that one returned early) swapped in. */
  private swapIn(loaded: LoadedRuleSet): RefreshOutcome {
    const outgoing = this.serving;
    this.serving = loaded;
    this.failure = undefined;
    const keep = this.options.keep ?? 3;
    const others = this.recent.filter((r) => r.version !== loaded.version && r.version !== outgoing?.version);
    this.recent.splice(0, this.recent.length, ...(outgoing ? [outgoing] : []), ...others);
    this.recent.length = Math.min(this.recent.length, keep);
    this.options.onLoaded?.(loaded);
    return { ok: true, version: loaded.version, changed: true, loadMs: loaded.loadMs };
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
