/**
 * CEL's meaning of equality, membership, ordering and size where JavaScript's operators differ from it: the
 * interpreter (the reference) and the compiler both use these, so they cannot disagree.
 * - Equality is structural: lists are equal when their elements are, pairwise; records when their fields are.
 *   NaN equals nothing, itself included, also inside a list (`[0.0/0.0] == [0.0/0.0]` is false).
 * - Strings are sequences of Unicode code points: `size('🐱')` is 1, and they are ordered by code point
 *   (JavaScript measures and orders UTF-16 units, which puts U+E000..U+FFFF after every emoji).
 */

/** CEL `==`: `===` for numbers, strings, booleans and null; pairwise for lists; field by field for records. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!celEquals(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const fields = Object.keys(a);
  if (fields.length !== Object.keys(b).length) return false;
  for (const field of fields)
    if (
      !Object.hasOwn(b, field) ||
      !celEquals((a as Record<string, unknown>)[field], (b as Record<string, unknown>)[field])
    )
      return false;
  return true;
}

/** CEL `in` on a list: some element equals the value (by celEquals, so NaN is in no list). */
export function celIn(value: unknown, list: readonly unknown[]): boolean {
  if (typeof value !== 'object' || value === null) {
    // Numbers, strings, booleans: includes() is SameValueZero, which finds NaN; CEL's equality does not.
    return value === value && list.includes(value);
  }
  for (const element of list) if (celEquals(value, element)) return true;
  return false;
}

/**
 * Two strings in code-point order: negative, 0 or positive. UTF-16 units already sort by code point except where a
 * surrogate (an astral code point's half) meets a unit of U+E000..U+FFFF; at the first difference, those two ranges
 * are swapped (the classic fix-up, as ICU's code-point-order comparison does it).
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === length) return a.length - b.length;
  return codePointRank(a.charCodeAt(i)) - codePointRank(b.charCodeAt(i));
}

/** A UTF-16 unit's rank in code-point order: surrogates (D800-DFFF) above E000-FFFF. */
const codePointRank = (unit: number): number =>
  unit >= 0xd800 ? (unit <= 0xdfff ? unit + 0x2000 : unit - 0x800) : unit;

/** CEL `<`, `<=`, `>`, `>=` for two values of one orderable type: numbers, strings (by code point), booleans. */
export function celLess(a: unknown, b: unknown): boolean {
  return typeof a === 'string' ? compareCodePoints(a, b as string) < 0 : (a as number) < (b as number);
}
export function celLessOrEqual(a: unknown, b: unknown): boolean {
  return typeof a === 'string' ? compareCodePoints(a, b as string) <= 0 : (a as number) <= (b as number);
}

/** The number of code points in a string (a lone surrogate counts as one). */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        length--;
        i++;
      }
    }
  }
  return length;
}

/** CEL `+`: numbers add, strings and lists concatenate. */
export function celAdd(a: unknown, b: unknown): unknown {
  return Array.isArray(a) ? a.concat(b) : (a as number) + (b as number);
}
