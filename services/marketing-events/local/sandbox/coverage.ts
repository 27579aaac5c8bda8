import { formatTable } from '@backbone/shared/local';
import { MATCH_KEYS } from '../../src/domain/match-keys';
import { countsFor, type Platform, type SandboxReceived } from './server';

/**
 * Match-key coverage between two /_sandbox/received summaries: per platform, the share of the events it received in
 * between that carried each identifier, as an advertiser reads Meta's event match quality. A table of text lines,
 * and the figures.
 */
export function matchKeyCoverage(
  before: Record<Platform, SandboxReceived>,
  after: Record<Platform, SandboxReceived>,
  platforms: readonly Platform[],
): { lines: string[]; shares: Record<string, Record<string, number>> } {
  const shares: Record<string, Record<string, number>> = {};
  const rows: string[][] = [['platform', 'events', ...MATCH_KEYS]];
  for (const platform of platforms) {
    const events = countsFor(after, platform).unique - countsFor(before, platform).unique;
    const share: Record<string, number> = {};
    for (const key of MATCH_KEYS) {
      const carried =
        (countsFor(after, platform).matchKeys[key] ?? 0) - (countsFor(before, platform).matchKeys[key] ?? 0);
      share[key] = events === 0 ? 0 : carried / events;
    }
    shares[platform] = share;
    rows.push([platform, String(events), ...MATCH_KEYS.map((k) => `${(share[k]! * 100).toFixed(0)} %`)]);
  }
  return { lines: formatTable(rows, '  '), shares };
}
