import { RetryableError } from '@backbone/shared';
import { refreshEngines, type EngineRefreshPorts, type EngineTarget, type RefreshAnswer } from './engine-refresh';

const targets: EngineTarget[] = [
  { id: 'task-a', url: 'http://10.0.0.1:8080' },
  { id: 'task-b', url: 'http://10.0.0.2:8080' },
];

function ports(answers: Record<string, RefreshAnswer[]>, running: EngineTarget[] = targets) {
  const recorded: { id: string; version: string; serving: boolean; reason?: string }[] = [];
  const asked: string[] = [];
  const confirmed: string[] = [];
  const port: EngineRefreshPorts = {
    discover: async () => running,
    refresh: async (target) => {
      asked.push(target.id);
      return answers[target.id]!.shift() ?? { kind: 'unreachable', reason: 'ECONNREFUSED' };
    },
    record: async (target, outcome) => void recorded.push({ id: target.id, ...outcome }),
    confirmServed: async (version) => void confirmed.push(version),
  };
  return { port, recorded, asked, confirmed };
}

const noWait = { sleep: async () => undefined };

describe('refreshing the engine containers', () => {
  it('tells every container, and records which runs which version', async () => {
    const { port, recorded, confirmed } = ports({
      'task-a': [{ kind: 'serving', version: 'v2', changed: true }],
      'task-b': [{ kind: 'serving', version: 'v2', changed: false }],
    });
    const outcomes = await refreshEngines('v2', port, noWait);
    expect(outcomes.map((o) => [o.target.id, o.answer.kind])).toEqual([
      ['task-a', 'serving'],
      ['task-b', 'serving'],
    ]);
    expect(recorded).toEqual([
      { id: 'task-a', version: 'v2', serving: true },
      { id: 'task-b', version: 'v2', serving: true },
    ]);
    // What a container started later falls back to, should it fail to load the active version.
    expect(confirmed).toEqual(['v2']);
  });

  it('records the version a container says it serves, which is not always the one asked', async () => {
    // task-b was told about v3 by a later announcement before this refresh reached it.
    const { port, recorded, confirmed } = ports({
      'task-a': [{ kind: 'serving', version: 'v2', changed: true }],
      'task-b': [{ kind: 'serving', version: 'v3', changed: false }],
    });
    await refreshEngines('v2', port, noWait);
    expect(recorded).toEqual([
      { id: 'task-a', version: 'v2', serving: true },
      { id: 'task-b', version: 'v3', serving: true },
    ]);
    expect(confirmed).toEqual(['v2']);
  });

  it('confirms nothing when no container serves the version asked (one refuses, one serves another)', async () => {
    const { port, confirmed } = ports({
      'task-a': [{ kind: 'refused', reason: 'checksum mismatch' }],
      'task-b': [{ kind: 'serving', version: 'v3', changed: false }],
    });
    await refreshEngines('v2', port, noWait);
    expect(confirmed).toEqual([]);
  });

  it('waits 500 ms, then 1 s, between a silent container’s attempts unless told otherwise', async () => {
    const waits: number[] = [];
    const { port } = ports({ 'task-a': [], 'task-b': [{ kind: 'serving', version: 'v2', changed: true }] });
    await refreshEngines('v2', port, { sleep: async (ms) => void waits.push(ms) }).catch(() => undefined);
    expect(waits).toEqual([500, 1_000]);
  });

  it('confirms nothing when every container refuses the version', async () => {
    const refusal: RefreshAnswer = { kind: 'refused', reason: 'checksum mismatch' };
    const { port, confirmed } = ports({ 'task-a': [refusal], 'task-b': [refusal] });
    await refreshEngines('v2', port, noWait);
    expect(confirmed).toEqual([]);
  });

  it('sends the announcement back when no container is running, saying what to check', async () => {
    const { port, recorded, confirmed } = ports({}, []);
    const failure = await refreshEngines('v2', port, noWait).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as Error).message).toBe(
      'found no engine containers to tell about rule set v2: check that the engine service is running and that ' +
        'ENGINE_CLUSTER and ENGINE_SERVICE (or ENGINE_INSTANCE_URLS) name it',
    );
    expect([recorded, confirmed]).toEqual([[], []]);
  });

  it('asks a silent container again, and records a refusal without retrying it', async () => {
    const { port, recorded, asked } = ports({
      'task-a': [
        { kind: 'unreachable', reason: 'timeout' },
        { kind: 'serving', version: 'v2', changed: true },
      ],
      'task-b': [{ kind: 'refused', reason: 'the rules file does not compile' }],
    });
    await refreshEngines('v2', port, noWait);
    expect(asked.filter((id) => id === 'task-a')).toHaveLength(2);
    expect(asked.filter((id) => id === 'task-b')).toHaveLength(1);
    expect(recorded).toContainEqual({
      id: 'task-b',
      version: 'v2',
      serving: false,
      reason: 'the rules file does not compile',
    });
  });

  it('sends the announcement back when a container never answers', async () => {
    const { port, asked, recorded } = ports({
      'task-a': [],
      'task-b': [{ kind: 'serving', version: 'v2', changed: true }],
    });
    const failure = await refreshEngines('v2', port, { ...noWait, attempts: 3 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as Error).message).toBe(
      '1 of 2 engine containers did not answer the refresh to v2 (task-a: ECONNREFUSED); ' +
        'the announcement comes back to try them again',
    );
    expect(asked.filter((id) => id === 'task-a')).toHaveLength(3);
    expect(recorded).toContainEqual({ id: 'task-a', version: 'v2', serving: false, reason: 'ECONNREFUSED' });
  });
});
