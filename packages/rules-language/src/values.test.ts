import { celAdd, celEquals, celIn, celLess, celLessOrEqual, codePointLength, compareCodePoints } from './values';

describe('celEquals', () => {
  it.each([
    [1, 1, true],
    [1, 2, false],
    ['a', 'a', true],
    [null, null, true],
    [null, 0, false],
    [0, null, false],
    [{}, null, false],
    [null, {}, false],
    [NaN, NaN, false],
    [[1, 'a'], [1, 'a'], true],
    [[1], [1, 2], false],
    [[1, 2], [1], false],
    [[1, 2], [1, 3], false],
    [[NaN], [NaN], false],
    [[], [], true],
    [[1], { 0: 1 }, false],
    [{ 0: 1 }, [1], false],
    [{ a: 1, b: [2] }, { b: [2], a: 1 }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1, c: 2 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [[{ a: [1] }], [{ a: [1] }], true],
  ])('%j == %j is %s', (a, b, equal) => {
    expect(celEquals(a, b)).toBe(equal);
    expect(celEquals(b, a)).toBe(equal);
  });
});

describe('celIn', () => {
  it.each([
    [1, [0, 1], true],
    [2, [0, 1], false],
    ['b', ['a', 'b'], true],
    [NaN, [NaN], false],
    [null, [null], true],
    [[1], [[0], [1]], true],
    [[2], [[0], [1]], false],
    [{ a: 1 }, [{ a: 1 }], true],
    [{ a: 1 }, [], false],
  ])('%j in %j is %s', (value, list, found) => expect(celIn(value, list)).toBe(found));
});

describe('code-point order and size', () => {
  const cat = '\u{1F431}';
  it.each([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['ab', 'ab', 0],
    ['ab', 'abc', -1],
    ['abc', 'ab', 1],
    // An astral code point (a surrogate pair in UTF-16) sorts after every BMP code point, U+E000..U+FFFF included.
    [cat, '\uE000', 1],
    ['\uFFFF', cat, -1],
    ['\uD7FF', '\uE000', -1],
    ['\uD800', '\uD7FF', 1],
    ['\uDFFF', '\uFFFF', 1],
    ['\uDFFF', '\uDC00', 1],
    [`x${cat}`, 'x\uFFFF', 1],
  ])('%j against %j: %i', (a, b, sign) => expect(Math.sign(compareCodePoints(a, b))).toBe(sign));

  it('orders strings by code point and numbers as numbers, with or without equality', () => {
    expect([celLess('\uFFFF', cat), celLessOrEqual(cat, cat), celLessOrEqual(cat, '\uFFFF')]).toEqual([
      true,
      true,
      false,
    ]);
    expect([celLess(1, 2), celLess(2, 2), celLessOrEqual(2, 2), celLessOrEqual(3, 2)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it.each([
    ['', 0],
    ['abc', 3],
    [cat, 1],
    [`a${cat}b${cat}`, 4],
    // Lone surrogates count one each; a low before a high is no pair.
    ['\uD83D', 1],
    ['\uDC31\uD83D', 2],
    ['\uD83Dx', 2],
    [`\uD83D${cat}`, 2],
  ])('size(%j) is %i', (text, size) => expect(codePointLength(text)).toBe(size));
});

describe('celAdd', () => {
  it('adds numbers, concatenates strings and lists', () => {
    expect(celAdd(1, 2)).toBe(3);
    expect(celAdd('a', 'b')).toBe('ab');
    expect(celAdd([1], [2, 3])).toEqual([1, 2, 3]);
  });
});
