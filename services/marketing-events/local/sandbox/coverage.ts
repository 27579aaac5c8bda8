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
  const header = `  ${'platform'.padEnd(9)}${'events'.padStart(7)}  ${MATCH_KEYS.map((k) => k.padStart(12)).join('')}`;
  const lines = [header, `  ${'-'.repeat(header.length - 2)}`];
  for (const platform of platforms) {
    const events = countsFor(after, platform).unique - countsFor(before, platform).unique;
    const share: Record<string, number> = {};
    for (const key of MATCH_KEYS) {
      const carried =
        (countsFor(after, platform).matchKeys[key] ?? 0) - (countsFor(before, platform).matchKeys[key] ?? 0);
      share[key] = events === 0 ? 0 : carried / events;
    }
    shares[platform] = share;
    lines.push(
      `  ${platform.padEnd(9)}${String(events).padStart(7)}  ${MATCH_KEYS.map((k) => `${(share[k]! * 100).toFixed(0)} %`.padStart(12)).join('')}`,
    );
  }
  return { lines, shares };
}
