/**
 * Whatever a database row or a rules file holds, rules-ingestion answers with a report: a rule set, or errors that
 * each say what is wrong. Random bytes as a rules file, random JSON as stored rows, and valid rows broken one field at a
 * time: nothing throws and nothing is silently dropped.
 */
import fc from 'fast-check';
import { compileRuleFile, printRuleFile } from '@backbone/rules-language';
import { propertyRuns } from '@backbone/shared/testing';
import { buildRuleSet } from './rule-set';

/** A row as the definitions API stores it (see rule-set.test.ts for the whole shape). */
const validRow = {
  id: 'energy-switch',
  name: 'Switch energy supplier',
  status: 'active',
  audience: 'all',
  contentRef: 'content/energy-switch',
  validFrom: '2026-01-01',
  version: 1,
  definition: { kind: 'cel', when: 'spend("energy", 30) > 100.0', score: '1.0' },
};

const reportOf = (rows: readonly unknown[]) => {
  const built = buildRuleSet(rows);
  if (built.ok) return built;
  expect(built.errors.length).toBeGreaterThan(0);
  for (const error of built.errors) expect(error.message).toMatch(/\w{3,}/);
  return built;
};

describe('every input gets a report', () => {
  it('random text as a rules file: parsed or refused with located errors, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2_000 }),
          fc.string({ unit: 'binary', maxLength: 500 }),
          fc.uint8Array().map((b) => Buffer.from(b).toString('latin1')),
        ),
        (text) => {
          const outcome = compileRuleFile(text);
          if (!outcome.ok)
            for (const error of outcome.errors) {
              expect(error.line).toBeGreaterThanOrEqual(1);
              expect(error.message.length).toBeGreaterThan(0);
            }
        },
      ),
      { numRuns: propertyRuns(2_000) },
    );
  });

  it('a valid file with random bytes spliced in: a report for each, the rules it still holds found', () => {
    const file = printRuleFile([
      { ...validRow, contentRef: validRow.contentRef, when: 'true', score: '1.0', validTo: undefined } as never,
    ]);
    fc.assert(
      fc.property(fc.nat(file.length), fc.string({ maxLength: 50 }), (at, noise) => {
        const outcome = compileRuleFile(file.slice(0, at) + noise + file.slice(at));
        expect(outcome.ok || outcome.errors.length > 0).toBe(true);
      }),
      { numRuns: propertyRuns(2_000) },
    );
  });

  it('random JSON as stored rows: each bad row reported (by id when it has one), never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 20 }), (rows) => {
        const built = reportOf(rows);
        // Random JSON is never a valid stored definition: a set with any row is refused, naming its problems.
        expect(built.ok).toBe(rows.length === 0);
      }),
      { numRuns: propertyRuns(1_000) },
    );
  });

  it('a valid row with one field replaced by random JSON: that row reported, the valid ones kept', () => {
    const fields = Object.keys(validRow) as (keyof typeof validRow)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 3 }), (field, value) => {
        const broken = { ...validRow, id: 'broken', [field]: value };
        const built = reportOf([validRow, broken]);
        if (!built.ok && field !== 'id')
          expect(built.errors.some((e) => e.snoopId === 'broken' || e.message.includes(field))).toBe(true);
      }),
      { numRuns: propertyRuns(1_000) },
    );
  });
});
