import { LexError, tokenize } from './lexer';

const ESCAPES = "CEL's are \\n \\t \\r \\\" \\' \\\\ \\a \\b \\f \\v \\? \\` \\xHH \\uHHHH \\UHHHHHHHH and octal \\000";
const NOT_A_CHARACTER = 'is not a Unicode character (a surrogate half or beyond U+10FFFF): write the character itself';

/** The error a text raises: its words and where it points. */
function refusal(source: string): { message: string; span: { start: number; end: number } } {
  try {
    tokenize(source);
  } catch (error) {
    if (error instanceof LexError) return { message: error.message, span: error.span };
    throw error;
  }
  throw new Error(`${JSON.stringify(source)} was read without an error`);
}

const tokens = (source: string) => tokenize(source).map((t) => [t.kind, t.value, t.span.start, t.span.end]);

describe('the lexer', () => {
  it.each([
    // A \u escape takes four hex digits, \U eight: the span covers the escape as far as it was read.
    ['"\\u12"', '"\\u" takes 4 hex digits, as in "\\u000A"', 1, 6],
    ['x + "\\u12G4"', '"\\u" takes 4 hex digits, as in "\\u000A"', 5, 11],
    ['"\\U0000D800"', `"\\U0000D800" ${NOT_A_CHARACTER}`, 1, 11],
    ['"\\uDFFF"', `"\\uDFFF" ${NOT_A_CHARACTER}`, 1, 7],
    ['"\\uD800"', `"\\uD800" ${NOT_A_CHARACTER}`, 1, 7],
    ['"\\U00110000"', `"\\U00110000" ${NOT_A_CHARACTER}`, 1, 11],
    // Octal takes three digits, the first 0-3.
    ['"\\400"', `unknown escape "\\4" in a string; ${ESCAPES}`, 1, 3],
    ['"\\37"', `unknown escape "\\3" in a string; ${ESCAPES}`, 1, 3],
    ['"\\z"', `unknown escape "\\z" in a string; ${ESCAPES}`, 1, 3],
    ['1.5abc', 'unexpected "a" after the number 1.5', 0, 4],
    ['x + b"x"', 'bytes literals (b"...") are not part of the rules language: write a string', 4, 6],
    ['br"x"', 'bytes literals (b"...") are not part of the rules language: write a string', 0, 3],
    ['x @', 'unexpected character "@"', 2, 3],
    ['"a\nb"', 'this string is not closed before the end of the line', 0, 2],
  ])('refuses %j: %s', (source, message, start, end) => {
    expect(refusal(source)).toEqual({ message, span: { start, end } });
  });

  it.each([
    ['"\\uD7FF"', [['string', '\uD7FF', 0, 8]]],
    ['"\\U0010FFFF"', [['string', '\u{10FFFF}', 0, 12]]],
    ['"\\377"', [['string', '\u00FF', 0, 6]]],
    [
      '1 // note\n2',
      [
        ['number', 1, 0, 1],
        ['number', 2, 10, 11],
      ],
    ],
    ['// only a note', []],
    ['.5', [['number', 0.5, 0, 2]]],
    ["'''a\nb'''", [['string', 'a\nb', 0, 9]]],
  ])('reads %j', (source, expected) => {
    expect(tokens(source)).toEqual([...expected, ['eof', '', source.length, source.length]]);
  });
});
