/**
 * Masking over generated values (fast-check; a failure prints its seed and smallest case): no planted value survives
 * what a dead letter looks like to someone without dlq:unmask, whatever the values are, and a masked value keeps no
 * letter or digit of the original (letters become x, digits 9).
 */
import fc from 'fast-check';
import { maskValue } from '@backbone/shared';
import { propertyRuns } from '@backbone/shared/testing';
import { plantedDeadLetters, plantedIn } from './planted.fixtures';
import { maskedLetter } from './views';

describe('masking, over generated values', () => {
  it('leaves no planted value in any dead letter of any contract, as a viewer sees it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 5_000_000 }), (start) => {
        const { letters, planted } = plantedDeadLetters(start);
        for (const letter of letters) expect(plantedIn(JSON.stringify(maskedLetter(letter)), planted)).toEqual([]);
      }),
      { numRuns: propertyRuns(40) },
    );
  });

  it('keeps a value’s shape and none of its letters or digits', () => {
    /** Every string and number in a value (its keys are its shape, kept). */
    const leaves = (value: unknown): string[] =>
      typeof value === 'string' || typeof value === 'number'
        ? [String(value)]
        : value && typeof value === 'object'
          ? Object.values(value).flatMap(leaves)
          : [];
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const masked = maskValue(value);
        expect(Object.keys(masked ?? {})).toEqual(Object.keys(value ?? {}));
        for (const leaf of leaves(masked)) expect(leaf.replace(/[^\p{L}\p{N}]/gu, '')).toMatch(/^[x9]*$/);
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
