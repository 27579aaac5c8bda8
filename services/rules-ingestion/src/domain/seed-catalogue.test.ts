import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  compileRuleFile,
  formatRuleError,
  fromSnoopDefinition,
  parseRuleFile,
  printRuleFile,
  storedSnoopSchema,
  toSnoopDefinition,
} from '@backbone/rules-language';
import { sampleCustomer } from '@backbone/rules-language/testing';
import { z } from 'zod';

const catalogue = z
  .array(storedSnoopSchema)
  .parse(JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'seed', 'snoop-catalogue.json'), 'utf8')));

describe('the seed catalogue', () => {
  const definitions = catalogue.map(toSnoopDefinition);

  it('has at least 50 distinct active snoops', () => {
    const active = catalogue.filter((s) => s.status === 'active');
    expect(active.length).toBeGreaterThanOrEqual(50);
    expect(new Set(catalogue.map((s) => s.id)).size).toBe(catalogue.length);
  });

  it('converts to a rules file that compiles, and back to the same stored definitions', () => {
    const text = printRuleFile(definitions);
    const outcome = compileRuleFile(text);
    if (!outcome.ok) throw new Error(outcome.errors.map(formatRuleError).join('\n\n'));
    const reparsed = parseRuleFile(text).snoops.map((s) => fromSnoopDefinition(s.definition));
    const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(reparsed)).toEqual(byId(catalogue));
  });

  it('tells customers apart: across 200 customers each snoop matches some but not every one', () => {
    const outcome = compileRuleFile(printRuleFile(definitions.filter((d) => d.status === 'active')));
    if (!outcome.ok) throw new Error('catalogue does not compile');
    const matches = new Map<string, number>();
    for (let seed = 1; seed <= 200; seed++) {
      for (const result of outcome.ruleSet.evaluate(sampleCustomer(seed))) {
        expect(result.score).toBeGreaterThanOrEqual(0);
        expect(result.score).toBeLessThanOrEqual(1);
        matches.set(result.id, (matches.get(result.id) ?? 0) + 1);
      }
    }
    expect(matches.size).toBeGreaterThan(outcome.ruleSet.snoops.length / 2);
    const alwaysOrNever = outcome.ruleSet.snoops
      .filter((s) => [0, 200].includes(matches.get(s.id) ?? 0))
      .map((s) => s.id);
    // A few snoops need rare facts (a tenure of exactly 12 months, a payday within a day): allow some.
    expect(alwaysOrNever.length).toBeLessThan(outcome.ruleSet.snoops.length / 4);
    expect(outcome.ruleSet.aggregateCount).toBeGreaterThan(20);
  });
});
