import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleSetPublished } from '@backbone/snoop-scheduler/contracts';
import { buildRuleSet, publishRuleSet, validateCandidate, type PublicationLog, type RuleSetFiles } from './rule-set';

const catalogue = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'seed', 'snoop-catalogue.json'), 'utf8'),
) as {
  status: string;
}[];
const active = catalogue.filter((d) => d.status === 'active');

function fakes(options: { failAnnounceOnce?: boolean } = {}) {
  const steps: string[] = [];
  const files = new Map<string, string>();
  const published = new Set<string>();
  const recorded: { version: string; definitions: readonly unknown[] }[] = [];
  let latest: string | undefined;
  let active_: unknown[] = active;
  let failAnnounce = options.failAnnounceOnce ?? false;
  const fileStore: RuleSetFiles = {
    locationOf: (version) => ({ bucket: 'rules', key: `rules/${version}.snoop` }),
    async write(version, text) {
      steps.push('write');
      if (!files.has(version)) files.set(version, text);
    },
    async pointLatestTo() {
      steps.push('latest');
    },
    exists: async (version) => files.has(version),
  };
  const publications: PublicationLog = {
    isPublished: async (version) => published.has(version),
    latest: async () => latest,
    async record(p: RuleSetPublished, definitions) {
      steps.push('record');
      published.add(p.ruleSetVersion);
      recorded.push({ version: p.ruleSetVersion, definitions });
      latest = p.ruleSetVersion;
    },
  };
  const deps = {
    definitions: { loadActive: async () => active_ },
    files: fileStore,
    announcer: {
      async announce() {
        steps.push('announce');
        if (failAnnounce) {
          failAnnounce = false;
          throw new Error('queue unavailable');
        }
      },
    },
    publications,
    now: () => new Date('2026-11-22T01:00:00.000Z'),
  };
  return { deps, steps, files, recorded, serve: (definitions: unknown[]) => (active_ = definitions) };
}

describe('buildRuleSet', () => {
  it('gives the same version for the same definitions, whatever their order', () => {
    const a = buildRuleSet(active);
    const b = buildRuleSet([...active].reverse());
    expect(a.ok && b.ok && a.version === b.version).toBe(true);
  });

  it('names each invalid stored row and the field at fault', () => {
    const built = buildRuleSet([
      { ...active[0], id: 'bad-row', score: { value: 'high' } },
      { id: 'missing-everything' },
    ]);
    expect(built.ok).toBe(false);
    const messages = built.ok ? [] : built.errors.map((e) => `${e.snoopId}: ${e.message}`);
    expect(
      messages.some((m) => m.startsWith('bad-row: ') && m.includes('the score must be a number, but this is a string')),
    ).toBe(true);
    expect(messages.some((m) => m.startsWith('missing-everything: stored definition is invalid at name'))).toBe(true);
  });
});

describe('publishRuleSet', () => {
  it('writes, points latest, announces and records, in that order', async () => {
    const { deps, steps, files } = fakes();
    const outcome = await publishRuleSet(deps, 'ops');
    expect(outcome.status).toBe('published');
    expect(steps).toEqual(['write', 'latest', 'announce', 'record']);
    expect(files.size).toBe(1);
  });

  it('does nothing the second time for the same content', async () => {
    const { deps, steps } = fakes();
    await publishRuleSet(deps, 'ops');
    steps.length = 0;
    expect(await publishRuleSet(deps, 'ops')).toMatchObject({ status: 'unchanged', ruleCount: active.length });
    expect(steps).toEqual([]);
  });

  it('publishes again a recorded version whose file has gone from the bucket', async () => {
    const { deps, steps, files } = fakes();
    await publishRuleSet(deps, 'ops');
    files.clear();
    steps.length = 0;
    expect((await publishRuleSet(deps, 'ops')).status).toBe('published');
    expect(steps).toEqual(['write', 'latest', 'announce', 'record']);
  });

  it('records the definitions each publication was made of', async () => {
    const { deps, recorded } = fakes();
    const outcome = await publishRuleSet(deps, 'ops');
    expect(recorded).toEqual([
      { version: outcome.status === 'published' && outcome.published.ruleSetVersion, definitions: active },
    ]);
  });

  it('publishes an earlier version again when its definitions are served again (a restore), without rewriting it', async () => {
    const { deps, steps, serve } = fakes();
    const first = await publishRuleSet(deps, 'ops');
    serve(active.slice(1));
    expect((await publishRuleSet(deps, 'ops')).status).toBe('published');
    serve(active);
    steps.length = 0;
    const again = await publishRuleSet(deps, 'ops');
    expect(again).toMatchObject({
      status: 'published',
      published: { ruleSetVersion: first.status === 'published' && first.published.ruleSetVersion },
    });
    // The file is there already: written is a no-op; the pointer moves back and the engines are told.
    expect(steps).toEqual(['write', 'latest', 'announce', 'record']);
    steps.length = 0;
    expect((await publishRuleSet(deps, 'ops')).status).toBe('unchanged');
    expect(steps).toEqual([]);
  });

  it('finishes the job on the next publish after a failure part-way', async () => {
    const { deps, steps } = fakes({ failAnnounceOnce: true });
    await expect(publishRuleSet(deps, 'ops')).rejects.toThrow('queue unavailable');
    expect(steps).toEqual(['write', 'latest', 'announce']);
    steps.length = 0;
    expect((await publishRuleSet(deps, 'ops')).status).toBe('published');
    expect(steps).toEqual(['write', 'latest', 'announce', 'record']);
  });
});

describe('validateCandidate', () => {
  const base = active[0] as Record<string, unknown>;

  it('accepts a valid edit of an existing snoop', () => {
    expect(validateCandidate(active, { ...base, name: 'A clearer name', version: 2 }).ok).toBe(true);
  });

  it('reports a definition nested 2,000 deep as too deep, never throwing (a publish would otherwise always fail)', () => {
    let condition: unknown = { is: 'profile.isHomeowner' };
    for (let i = 0; i < 2_000; i++) condition = { not: condition };
    const candidate = { ...base, id: 'deep-snoop', condition };
    const built = validateCandidate(active, candidate);
    expect(built.ok ? [] : built.errors).toEqual([
      expect.objectContaining({
        snoopId: 'deep-snoop',
        message: expect.stringMatching(/nested more than 64 levels deep/),
      }),
    ]);
    // Saved, it is reported by name with the reason (a 422 from the endpoint), instead of crashing every publish.
    const withSaved = buildRuleSet([...active, { ...candidate, status: 'active' }]);
    expect(withSaved.ok ? [] : withSaved.errors.map((e) => e.snoopId)).toEqual(['deep-snoop']);
  });

  it('reports what is wrong with the candidate, writing nothing', () => {
    const built = validateCandidate(active, {
      ...base,
      id: 'new-snoop',
      condition: { compare: [{ field: 'profile.age' }, '>=', { value: '18' }] },
    });
    expect(built.ok).toBe(false);
    const errors = built.ok ? [] : built.errors;
    expect(errors.map((e) => e.snoopId)).toEqual(['new-snoop']);
    expect(errors[0]!.message).toContain(
      '">=" needs two numbers, two strings or two booleans, not a number and a string',
    );
  });

  it('checks a draft too, though it would not be published yet', () => {
    const built = validateCandidate(active, { ...base, id: 'draft-idea', status: 'draft', score: { value: 2 } });
    expect(built.ok ? [] : built.errors.map((e) => e.snoopId)).toEqual(['draft-idea']);
  });
});

describe('reports on stored JSON', () => {
  it('points inside a condition to the field at fault, not just "not a condition"', () => {
    const built = validateCandidate(active, {
      ...(active[0] as Record<string, unknown>),
      id: 'typo',
      condition: { all: [{ is: 'profile.isHomeowner' }, { compare: [{ field: 'profile.agee' }, '>', { value: 18 }] }] },
    });
    const message = built.ok ? '' : built.errors[0]!.message;
    expect(message).toMatch(
      /^stored definition is invalid at condition\.all\.1\.compare\.0\.field: Invalid option: expected one of "profile\.age"/,
    );
  });
});

describe('rows that are not objects', () => {
  it('reports each (null, a string, a number, an array) as an entry, and never throws', () => {
    const built = buildRuleSet([null, 'x', 42, []]);
    expect(built.ok).toBe(false);
    expect(built.ok ? [] : built.errors.map((e) => e.snoopId)).toEqual([undefined, undefined, undefined, undefined]);
    const messages = built.ok ? [] : built.errors.map((e) => e.message);
    expect(messages).toHaveLength(4);
    for (const message of messages) expect(message).toMatch(/^stored definition is invalid at \(row\): /);
  });
});
