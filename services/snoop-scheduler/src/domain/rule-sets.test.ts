import { createHash } from 'node:crypto';
import type { RuleSetVersion } from './active-rule-set';
import { RuleSetHolder, type RuleSetSource } from './rule-sets';

const file = (id: string, threshold: number) =>
  `snoop "${id}" { name: "n" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 ` +
  `when: profile.age > ${threshold}.0 score: 0.5 }\n`;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function source(files: Record<string, string>, active?: string) {
  const fetched: string[] = [];
  const versions = new Map<string, RuleSetVersion>(
    Object.entries(files).map(([name, text]) => [
      sha(text),
      {
        ruleSetVersion: sha(text),
        bucket: 'b',
        key: name,
        checksumSha256: sha(text),
        ruleCount: 1,
        publishedAt: '2026-11-30T00:00:00.000Z',
        publishedBy: 'test',
      },
    ]),
  );
  const bytes: Record<string, string> = { ...files };
  const port: RuleSetSource & {
    fetched: string[];
    bytes: Record<string, string>;
    activeVersion?: string;
    lastServed?: string;
  } = {
    fetched,
    bytes,
    activeVersion: active ? sha(files[active]!) : undefined,
    active: async () => {
      const version = port.activeVersion ? versions.get(port.activeVersion) : undefined;
      return version && port.lastServed ? { ...version, lastServed: port.lastServed } : version;
    },
    version: async (v) => versions.get(v),
    fetch: async ({ key }) => {
      fetched.push(key);
      if (!(key in bytes)) throw new Error('NoSuchKey');
      return new TextEncoder().encode(bytes[key]);
    },
  };
  return port;
}

const CUSTOMER = {
  profile: {
    age: 40,
    tenureMonths: 1,
    region: 'x',
    employmentStatus: 'x',
    creditScore: 1,
    isHomeowner: false,
    hasOverdraft: false,
  },
  balances: { current: 0, savings: 0, overdraftLimit: 0, overdraftUsed: 0, creditCardDebt: 0 },
  salary: { monthlyNet: 0, paydayOfMonth: 1, daysUntilPayday: 0 },
  transactions: [],
};

describe('the rule set an engine serves', () => {
  const v1 = file('adults', 30);
  const v2 = file('adults', 50);

  it('serves nothing until a rule set is published, and says why', async () => {
    const holder = new RuleSetHolder({ source: source({ 'v1.snoop': v1 }), currency: 'GBP' });
    const outcome = await holder.refresh();
    expect(outcome).toEqual({ ok: false, reason: expect.stringMatching(/no rule set has been published yet/) });
    expect(holder.current).toBeUndefined();
    expect(holder.lastFailure?.reason).toMatch(/publish one/);
  });

  it('swaps a new version in whole: a request holding the old one finishes on it', async () => {
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2 }, 'v1.snoop');
    const loaded: string[] = [];
    const holder = new RuleSetHolder({ source: files, currency: 'GBP', onLoaded: (l) => loaded.push(l.version) });
    expect(await holder.refresh()).toMatchObject({ ok: true, version: sha(v1), changed: true });
    const inFlight = holder.current!;
    files.activeVersion = sha(v2);
    expect(await holder.refresh()).toMatchObject({ ok: true, version: sha(v2), changed: true });
    // The request that took v1 still scores on v1; a new one gets v2.
    expect(inFlight.version).toBe(sha(v1));
    expect(inFlight.ruleSet.evaluate(CUSTOMER)).toEqual([{ id: 'adults', score: 0.5 }]);
    expect(holder.current!.ruleSet.evaluate(CUSTOMER)).toEqual([]);
    expect(loaded).toEqual([sha(v1), sha(v2)]);
    // Asking again for the version serving changes nothing and fetches nothing.
    const fetches = files.fetched.length;
    expect(await holder.refresh()).toEqual({ ok: true, version: sha(v2), changed: false, loadMs: 0 });
    expect(files.fetched).toHaveLength(fetches);
  });

  it('rolls back to a recent version without fetching it again', async () => {
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2 }, 'v1.snoop');
    const holder = new RuleSetHolder({ source: files, currency: 'GBP' });
    await holder.refresh();
    await holder.refresh(sha(v2));
    expect(await holder.refresh(sha(v1))).toMatchObject({ ok: true, version: sha(v1), changed: true });
    expect(files.fetched).toEqual(['v1.snoop', 'v2.snoop']);
    expect(await holder.refresh('abcdef0123456789')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/never published/),
      serving: sha(v1),
    });
  });

  it('keeps two recent versions besides the one serving: an older one is fetched again', async () => {
    const v3 = file('adults', 60);
    const v4 = file('adults', 70);
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2, 'v3.snoop': v3, 'v4.snoop': v4 }, 'v1.snoop');
    const holder = new RuleSetHolder({ source: files, currency: 'GBP', keep: 2 });
    await holder.refresh();
    for (const text of [v2, v3, v4]) await holder.refresh(sha(text));
    // Serving v4; kept v3 and v2; v1 evicted (the oldest).
    files.fetched.length = 0;
    await holder.refresh(sha(v3));
    await holder.refresh(sha(v2));
    expect(files.fetched).toEqual([]);
    await holder.refresh(sha(v1));
    expect(files.fetched).toEqual(['v1.snoop']);
    expect(holder.current!.version).toBe(sha(v1));
  });

  it('starts on the version engines last served when the active one cannot be loaded, saying so', async () => {
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2 }, 'v2.snoop');
    files.lastServed = sha(v1);
    delete files.bytes['v2.snoop'];
    const failures: string[] = [];
    const fresh = new RuleSetHolder({ source: files, currency: 'GBP', onFailed: (f) => failures.push(f.version) });
    const outcome = await fresh.refresh();
    expect(outcome).toMatchObject({
      ok: true,
      version: sha(v1),
      insteadOfActive: { version: sha(v2), reason: expect.stringMatching(/could not fetch s3:\/\/b\/v2.snoop/) },
    });
    expect(fresh.current!.version).toBe(sha(v1));
    // Still said on /rules/version and in the metric.
    expect(fresh.lastFailure).toMatchObject({ version: sha(v2) });
    expect(failures).toEqual([sha(v2)]);
  });

  it('falls back only on its first load of the active version, and to a version that loads', async () => {
    const v3 = file('adults', 60);
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2, 'v3.snoop': v3 }, 'v1.snoop');
    files.lastServed = sha(v2);
    // A good active version: loaded as it is, nothing said about a fall back.
    const plain = new RuleSetHolder({ source: files, currency: 'GBP' });
    expect(await plain.refresh()).toEqual({ ok: true, version: sha(v1), changed: true, loadMs: expect.any(Number) });
    // A version asked for by name that cannot be loaded: refused, no fall back.
    delete files.bytes['v3.snoop'];
    const named = new RuleSetHolder({ source: files, currency: 'GBP' });
    expect(await named.refresh(sha(v3))).toMatchObject({ ok: false, version: sha(v3) });
    expect(named.current).toBeUndefined();
    // The active version and the last served both broken: the active one's failure is what is said.
    files.activeVersion = sha(v3);
    files.bytes['v2.snoop'] = 'cut sh';
    const neither = new RuleSetHolder({ source: files, currency: 'GBP' });
    expect(await neither.refresh()).toMatchObject({ ok: false, version: sha(v3) });
    expect(neither.current).toBeUndefined();
  });

  it('says when a lookup failed without a version, with the time it failed', async () => {
    const broken: RuleSetSource = {
      active: async () => Promise.reject(new Error('DynamoDB unreachable')),
      version: async () => undefined,
      fetch: async () => new Uint8Array(),
    };
    const holder = new RuleSetHolder({ source: broken, currency: 'GBP' });
    const before = Date.now();
    expect(await holder.refresh()).toEqual({
      ok: false,
      reason: 'could not look the rule set up: DynamoDB unreachable',
    });
    expect(holder.lastFailure).toMatchObject({ version: '(unknown)' });
    expect(holder.lastFailure!.at.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('reports the first three errors of a rules file that does not compile, and how long a load took', async () => {
    const broken =
      'snoop "a" { name: "n" }\nsnoop "b" { name: "n" }\nsnoop "c" { name: "n" }\nsnoop "d" { name: "n" }\n';
    const files = source({ 'v1.snoop': v1, 'broken.snoop': broken }, 'v1.snoop');
    const holder = new RuleSetHolder({ source: files, currency: 'GBP' });
    const loaded = await holder.refresh();
    expect(loaded.ok && loaded.loadMs).toBeLessThan(60_000);
    const refused = await holder.refresh(sha(broken));
    const reason = refused.ok ? '' : refused.reason;
    const count = /\((\d+) errors\)/.exec(reason)![1];
    expect(Number(count)).toBeGreaterThan(3);
    expect(reason).toContain('snoop "c" line 3:1');
    expect(reason).not.toContain('snoop "d"');
  });

  it('keeps serving its own version when it is already serving one: the fall back is for starting only', async () => {
    const v3 = file('adults', 60);
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2, 'v3.snoop': v3 }, 'v3.snoop');
    const holder = new RuleSetHolder({ source: files, currency: 'GBP' });
    expect(await holder.refresh(sha(v1))).toMatchObject({ ok: true, version: sha(v1) });
    delete files.bytes['v3.snoop'];
    files.lastServed = sha(v2);
    expect(await holder.refresh()).toMatchObject({ ok: false, version: sha(v3), serving: sha(v1) });
    expect(holder.current!.version).toBe(sha(v1));
  });

  it('keeps the last good version serving when a version is corrupt, missing or does not compile', async () => {
    const broken = 'snoop "broken" { name: "n" }\n';
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2, 'broken.snoop': broken }, 'v1.snoop');
    const failures: string[] = [];
    const holder = new RuleSetHolder({ source: files, currency: 'GBP', onFailed: (f) => failures.push(f.reason) });
    await holder.refresh();

    files.bytes['v2.snoop'] = v2.replace('50.0', '51.0');
    const corrupt = await holder.refresh(sha(v2));
    expect(corrupt).toMatchObject({ ok: false, version: sha(v2), serving: sha(v1) });
    expect(!corrupt.ok && corrupt.reason).toMatch(
      /has SHA-256 [0-9a-f]{64}, not the published [0-9a-f]{64}: the file was changed or cut short after publication; publish the rule set again$/,
    );

    delete files.bytes['v2.snoop'];
    const missing = await holder.refresh(sha(v2));
    expect(!missing.ok && missing.reason).toMatch(/could not fetch s3:\/\/b\/v2.snoop: NoSuchKey/);

    const uncompilable = await holder.refresh(sha(broken));
    expect(!uncompilable.ok && uncompilable.reason).toMatch(/does not compile \(1 errors\):\nsnoop "broken"/);

    expect(holder.current!.version).toBe(sha(v1));
    expect(holder.lastFailure).toMatchObject({ version: sha(broken) });
    expect(failures).toHaveLength(3);
    // A good load clears the failure.
    files.bytes['v2.snoop'] = v2;
    await holder.refresh(sha(v2));
    expect(holder.lastFailure).toBeUndefined();
  });

  it('runs refreshes one after another, so the last one asked for is the one serving', async () => {
    const files = source({ 'v1.snoop': v1, 'v2.snoop': v2 }, 'v1.snoop');
    const holder = new RuleSetHolder({ source: files, currency: 'GBP' });
    const outcomes = await Promise.all([holder.refresh(sha(v2)), holder.refresh(sha(v1)), holder.refresh(sha(v2))]);
    expect(outcomes.map((o) => o.ok && o.version)).toEqual([sha(v2), sha(v1), sha(v2)]);
    expect(holder.current!.version).toBe(sha(v2));
  });

  it('reports a source that cannot be asked', async () => {
    const files = source({ 'v1.snoop': v1 }, 'v1.snoop');
    files.active = async () => {
      throw new Error('DynamoDB is unreachable');
    };
    expect(await new RuleSetHolder({ source: files, currency: 'GBP' }).refresh()).toMatchObject({
      ok: false,
      reason: 'could not look the rule set up: DynamoDB is unreachable',
    });
  });
});
