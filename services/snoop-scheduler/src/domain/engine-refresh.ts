/**
 * The refresh step: when a rule set becomes active, every engine container is told to load it, and which container
 * runs which version is recorded. A container that does not answer is asked again (a few times here, then the
 * announcement comes back through its queue); one that answers that it cannot load the version (its file is missing
 * or does not compile) keeps serving its last good version, and that is recorded, not retried: asking again would not
 * change the file.
 */
import { RetryableError, retryWhile } from '@backbone/shared';

export interface EngineTarget {
  /** The container (an ECS task id; locally the process's name). */
  id: string;
  url: string;
}

export type RefreshAnswer =
  | { kind: 'serving'; version: string; changed: boolean }
  | { kind: 'refused'; reason: string }
  | { kind: 'unreachable'; reason: string };

export interface EngineRefreshPorts {
  /** The engine containers running now (ECS in AWS, the local processes here). */
  discover(): Promise<EngineTarget[]>;
  refresh(target: EngineTarget, version: string): Promise<RefreshAnswer>;
  record(target: EngineTarget, outcome: { version: string; serving: boolean; reason?: string }): Promise<void>;
  /**
   * Notes on the active pointer, while it still names `version`, that engines serve it: the version a container
   * started later falls back to if the active one cannot be loaded then.
   */
  confirmServed(version: string): Promise<void>;
}

export interface RefreshOutcome {
  target: EngineTarget;
  answer: RefreshAnswer;
}

export async function refreshEngines(
  version: string,
  ports: EngineRefreshPorts,
  options: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<RefreshOutcome[]> {
  const targets = await ports.discover();
  // None running is an outage or a discovery pointed at the wrong service, not a refresh done: the announcement comes
  // back (and lands in the DLQ, where it is seen, if none ever appears). A container started later loads the active
  // version by itself.
  if (targets.length === 0)
    throw new RetryableError(
      `found no engine containers to tell about rule set ${version}: check that the engine service is running and ` +
        'that ENGINE_CLUSTER and ENGINE_SERVICE (or ENGINE_INSTANCE_URLS) name it',
    );
  const outcomes = await Promise.all(
    targets.map(async (target): Promise<RefreshOutcome> => {
      const answer = await retryWhile(
        () => ports.refresh(target, version),
        (a) => a.kind === 'unreachable',
        {
          attempts: options.attempts ?? 3,
          baseMs: options.delayMs ?? 500,
          capMs: Number.POSITIVE_INFINITY,
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      );
      // What the container says it serves, which is the version asked unless another refresh overtook this one.
      if (answer.kind === 'serving') await ports.record(target, { version: answer.version, serving: true });
      else await ports.record(target, { version, serving: false, reason: answer.reason });
      return { target, answer };
    }),
  );
  if (outcomes.some((o) => o.answer.kind === 'serving' && o.answer.version === version))
    await ports.confirmServed(version);
  const unreachable = outcomes.filter((o) => o.answer.kind === 'unreachable');
  if (unreachable.length > 0)
    throw new RetryableError(
      `${unreachable.length} of ${targets.length} engine containers did not answer the refresh to ${version} ` +
        `(${unreachable.map((o) => `${o.target.id}: ${(o.answer as { reason: string }).reason}`).join('; ')}); ` +
        'the announcement comes back to try them again',
    );
  return outcomes;
}
