/**
 * Where the rules language speaks CEL it gives CEL's answers: list equality and membership, strings as code points
 * (size and order), every escape CEL defines (and none it does not), ordering of booleans, list concatenation. Each
 * expression runs through the reference interpreter and the compiler (which must agree) and, where it can, through
 * the independent CEL implementation the tests use (@marcbachmann/cel-js); then property tests over generated lists
 * and strings hold the three to each other.
 */
import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import { checkExpression } from './checker';
import { AggregatePlan, Compiler } from './compiler';
import { interpret } from './interpreter';
import { parseExpression } from './parser';
import { printString } from './printer';
import { celReferenceEnvironment, toStandardCel } from './testing/cel-environment';
import { BOOL, DOUBLE, listOf, STRING, type Type } from './types';
import { compareCodePoints, codePointLength } from './values';

/** Variables the expressions below may use: values the compiler cannot fold away, so its closures run. */
const VARIABLES: Record<string, Type> = {
  a: STRING,
  b: STRING,
  xs: listOf(DOUBLE),
  ys: listOf(DOUBLE),
  flags: listOf(BOOL),
  words: listOf(STRING),
  nested: listOf(listOf(DOUBLE)),
  yes: BOOL,
  no: BOOL,
};

const cel = celReferenceEnvironment();

/** The interpreter's value of a checked expression, after making sure the compiler gives the same. */
function ours(text: string, facts: Record<string, unknown> = {}): unknown {
  const expr = parseExpression(text);
  const checked = checkExpression(expr, VARIABLES);
  expect({ text, issues: checked.issues }).toEqual({ text, issues: [] });
  const interpreted = interpret(expr, facts);
  const plan = new AggregatePlan();
  const compiled = new Compiler(plan, new Set(Object.keys(VARIABLES))).compile(expr);
  expect({ text, compiled: compiled(facts, [], plan.computeAll(facts)) }).toEqual({ text, compiled: interpreted });
  return interpreted;
}

const theirs = (text: string, facts: Record<string, unknown> = {}): unknown => cel.evaluate(toStandardCel(text), facts);

describe('lists, as CEL compares them', () => {
  const facts = { xs: [1, 2, 3], ys: [1, 2, 3], flags: [false, true], nested: [[1], [2]], words: ['a', 'b'] };
  it.each([
    ['[1.0, 2.0, 3.0] == [1.0, 2.0, 3.0]', true],
    ['[false, true] != [false, true]', false],
    ['[1.0] in [[1.0]]', true],
    ['[1.0, 2.0] == [2.0, 1.0]', false],
    ['[1.0] == [1.0, 1.0]', false],
    ['[[1.0], [2.0]] == [[1.0], [2.0]]', true],
    ['xs == ys', true],
    ['xs != [1.0, 2.0]', true],
    ['flags == [false, true]', true],
    ['nested == [[1.0], [2.0]]', true],
    ['[2.0] in nested', true],
    ['[3.0] in nested', false],
    ['[0.0 / 0.0] == [0.0 / 0.0]', false],
    ['0.0 / 0.0 in [0.0 / 0.0, 1.0]', false],
    ['[2.0] + [2.0] == [2.0, 2.0]', true],
    ['xs + ys == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]', true],
    ['size(words + ["c"])', 3],
    ['"c" in words + ["c"]', true],
  ])('%s is %j', (text, value) => {
    expect(ours(text, facts)).toEqual(value);
    expect(theirs(text, facts)).toEqual(value);
  });
});

describe('strings, as sequences of code points', () => {
  it.each([
    ["size('🐱')", 1],
    ["size('a🐱b')", 3],
    ["'🐱'.size()", 1],
    ["size('\\U0001F431\\u00e9')", 2],
    ["size('')", 0],
  ])('%s is %j', (text, value) => {
    expect(ours(text)).toEqual(value);
    expect(theirs(text)).toEqual(value);
  });

  // cel-js compares UTF-16 units here (so it says false to the first): CEL's specification and cel-go order by code
  // point, as this language does.
  it.each([
    ["'\\uffff' < '🐱'", true],
    ["'\\ue000' < '\\U00010000'", true],
    ["'🐱' > '\\uffff'", true],
    ["'🐱' <= '\\ufb01'", false],
    ["'a' < 'b'", true],
    ["'ab' < 'a'", false],
    ["'é' >= 'e'", true],
  ])('%s is %j, by code point', (text, value) => {
    expect(ours(text)).toBe(value);
  });

  it('orders variables by code point too (the compiled comparison, not a folded constant)', () => {
    expect(ours('a < b', { a: '\uffff', b: '🐱' })).toBe(true);
    expect(ours('a >= b', { a: '\uffff', b: '🐱' })).toBe(false);
    expect(ours('words.exists(w, w < "🐱")', { words: ['\uffff'] })).toBe(true);
    expect(ours('words.filter(w, w > "\\uffff").size()', { words: ['🐱', 'z', '\ufffe'] })).toBe(1);
  });
});

describe('escapes, as CEL defines them', () => {
  it.each([
    ["'\\a\\b\\f\\n\\r\\t\\v'", '\x07\b\f\n\r\t\v'],
    ["'\\?\\`\\'\\\"\\\\'", '?`\'"\\'],
    ["'\\x41\\X42'", 'AB'],
    ["'\\101\\060\\377'", 'A0\u00ff'],
    ["'\\u00e9\\U0001F431'", 'é🐱'],
    ['r"a\\nb\\x41"', 'a\\nb\\x41'],
    ["R'\\''", "\\'"],
    ['"""two\nlines"""', 'two\nlines'],
    ["'''it's'''", "it's"],
  ])('%s reads as %j', (text, value) => {
    expect(ours(text)).toBe(value);
    expect(theirs(text)).toBe(value);
  });

  it.each([
    ["'\\/'", 'unknown escape "\\/" in a string'],
    ["'\\q'", 'unknown escape "\\q" in a string'],
    ["'\\8'", 'unknown escape "\\8" in a string'],
    ["'\\x4'", '"\\x" takes 2 hex digits'],
    ["'\\u12'", '"\\u" takes 4 hex digits'],
    ["'\\uD83D'", '"\\uD83D" is not a Unicode character'],
    ["'\\U00110000'", '"\\U00110000" is not a Unicode character'],
    ["b'abc'", 'bytes literals (b"...") are not part of the rules language'],
    ["'''never closed", "this string is not closed: end it with '''"],
  ])('refuses %s: %s', (text, message) => {
    expect(() => parseExpression(text)).toThrow(message);
  });
});

describe('number literals, as CEL writes them (each read as a double)', () => {
  it.each([
    ['0x1F', 31],
    ['0XfF + 1.0', 256],
    ['-0x10', -16],
    ['.5', 0.5],
    ['1e3', 1000],
    ['2.5E-1', 0.25],
  ])('%s is %j', (text, value) => {
    expect(ours(text)).toBe(value);
    expect(Number(theirs(text))).toBe(value);
  });

  it('refuses an unsigned number, saying every number is a double', () => {
    expect(() => parseExpression('3u > 2.0')).toThrow(
      'an unsigned number (3u) has no place here: every number is a double; write 3',
    );
    expect(() => parseExpression('0x10U')).toThrow('an unsigned number (0x10U)');
  });
});

describe('booleans are ordered, false before true', () => {
  it.each([
    ['false < true', true],
    ['true < false', false],
    ['true <= true', true],
    ['yes > no', true],
    ['no >= yes', false],
  ])('%s is %j', (text, value) => {
    const facts = { yes: true, no: false };
    expect(ours(text, facts)).toBe(value);
    expect(theirs(text, facts)).toBe(value);
  });
});

// ---- generated ----

/** Any Unicode scalar value: ASCII, the rest of the BMP (U+E000..U+FFFF among it), astral planes (emoji). */
const text = fc.string({ unit: 'binary', maxLength: 6 });
const oneOfFew = fc.constantFrom('', 'a', 'é', '\uffff', '\ue000', '🐱', '😀', 'a🐱', '\u0000');
const aString = fc.oneof(text, oneOfFew);
const number = fc.constantFrom(0, 1, 2, -1, 0.5);
const numbers = fc.array(number, { maxLength: 4 });

/** Code-point order, computed the slow and obvious way. */
const byCodePoints = (x: string, y: string): number => {
  const [p, q] = [Array.from(x, (c) => c.codePointAt(0)!), Array.from(y, (c) => c.codePointAt(0)!)];
  for (let i = 0; i < Math.min(p.length, q.length); i++) if (p[i] !== q[i]) return p[i]! - q[i]!;
  return p.length - q.length;
};

describe('against cel-js and the definitions, over generated lists and strings', () => {
  it('list equality, membership, concatenation and size agree', () => {
    fc.assert(
      fc.property(numbers, numbers, fc.array(numbers, { maxLength: 3 }), (xs, ys, nested) => {
        const facts = { xs, ys, nested };
        for (const expression of [
          'xs == ys',
          'xs != ys',
          'xs in nested',
          'xs + ys in nested',
          'size(xs + ys)',
          '(xs + ys) == (ys + xs)',
          'nested == [xs, ys]',
          'xs.exists(x, x in ys)',
        ]) {
          const expected = theirs(expression, facts);
          expect({ expression, facts, value: ours(expression, facts) }).toEqual({ expression, facts, value: expected });
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('string size, equality, concatenation, search and membership agree', () => {
    fc.assert(
      fc.property(aString, aString, fc.array(aString, { maxLength: 3 }), (a, b, words) => {
        const facts = { a, b, words };
        for (const expression of [
          'size(a)',
          'a.size() + size(b)',
          'a == b',
          'a + b == b + a',
          'size(a + b)',
          'a.contains(b)',
          'a.startsWith(b)',
          'a.endsWith(b)',
          'a in words',
          `a == ${printString(a)}`,
          `size(${printString(b)})`,
        ]) {
          const expected = theirs(expression, facts);
          expect({ expression, facts, value: ours(expression, facts) }).toEqual({ expression, facts, value: expected });
        }
        expect(ours('size(a)', facts)).toBe(Array.from(a).length);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('strings are ordered by code point, and agree with cel-js wherever UTF-16 order is the same', () => {
    fc.assert(
      fc.property(aString, aString, (a, b) => {
        const facts = { a, b };
        const order = Math.sign(byCodePoints(a, b));
        expect(Math.sign(compareCodePoints(a, b))).toBe(order);
        for (const [expression, holds] of [
          ['a < b', order < 0],
          ['a <= b', order <= 0],
          ['a > b', order > 0],
          ['a >= b', order >= 0],
          [`a < ${printString(b)}`, order < 0],
        ] as const) {
          expect({ expression, facts, value: ours(expression, facts) }).toEqual({ expression, facts, value: holds });
          // cel-js orders UTF-16 units: where they sort as code points do, it must agree.
          if (Math.sign(a < b ? -1 : a > b ? 1 : 0) === order) expect(theirs(expression, facts)).toBe(holds);
        }
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('counts code points like Array.from, lone surrogates as one each', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }), (s) => {
        expect(codePointLength(s)).toBe(Array.from(s).length);
      }),
      { numRuns: propertyRuns(500) },
    );
  });

  it('reads every escape of any code point as cel-js does', () => {
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0xd7ff }),
      fc.integer({ min: 0xe000, max: 0x10ffff }),
      fc.integer({ min: 0, max: 0xff }),
    );
    fc.assert(
      fc.property(codePoint, (code) => {
        const hex = code.toString(16);
        const forms = [`\\U${hex.padStart(8, '0')}`, ...(code <= 0xffff ? [`\\u${hex.padStart(4, '0')}`] : [])];
        if (code <= 0xff) forms.push(`\\x${hex.padStart(2, '0')}`, `\\${code.toString(8).padStart(3, '0')}`);
        for (const form of forms) {
          const literal = `"${form}"`;
          expect({ literal, value: ours(literal) }).toEqual({ literal, value: String.fromCodePoint(code) });
          expect({ literal, value: theirs(literal) }).toEqual({ literal, value: String.fromCodePoint(code) });
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
