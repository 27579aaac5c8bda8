import type { Span } from './ast';

export type TokenKind = 'number' | 'string' | 'ident' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The literal's value for numbers and strings; the text for identifiers and punctuation. */
  value: string | number;
  span: Span;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

const PUNCTUATION = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '!',
  '?',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
];
/** CEL's single-character escapes (its spec, "String and Bytes Values"); `\/` is not among them. */
const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  "'": "'",
  '`': '`',
  '?': '?',
  '\\': '\\',
};

/**
 * One escape sequence at `source[i]` (a backslash): its value and its length. CEL's forms: the single characters
 * above, `\xHH` (or `\X`), `\uHHHH`, `\UHHHHHHHH` and octal `\[0-3][0-7][0-7]`; a code point given in hex must be
 * a Unicode scalar value (not a surrogate half, not beyond U+10FFFF).
 */
function escapeAt(source: string, i: number): { value: string; length: number } {
  const next = source[i + 1] ?? '';
  const single = Object.hasOwn(ESCAPES, next) ? ESCAPES[next] : undefined;
  if (single !== undefined) return { value: single, length: 2 };
  const digits = next === 'x' || next === 'X' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
  if (digits > 0) {
    const hex = source.slice(i + 2, i + 2 + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex))
      throw new LexError(`"\\${next}" takes ${digits} hex digits, as in "\\${next}${'0'.repeat(digits - 1)}A"`, {
        start: i,
        end: i + 2 + hex.length,
      });
    const code = parseInt(hex, 16);
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
      throw new LexError(
        `"\\${next}${hex}" is not a Unicode character (a surrogate half or beyond U+10FFFF): write the character itself`,
        { start: i, end: i + 2 + digits },
      );
    return { value: String.fromCodePoint(code), length: 2 + digits };
  }
  if (/^[0-3][0-7]{2}$/.test(source.slice(i + 1, i + 4)))
    return { value: String.fromCharCode(parseInt(source.slice(i + 1, i + 4), 8)), length: 4 };
  throw new LexError(
    `unknown escape "\\${next}" in a string; CEL's are \\n \\t \\r \\" \\' \\\\ \\a \\b \\f \\v \\? \\\` \\xHH \\uHHHH \\UHHHHHHHH and octal \\000`,
    { start: i, end: i + 2 },
  );
}

/**
 * Tokens of the rules file: CEL's expression tokens plus the braces and colons of
 * snoop blocks. Comments run from // or # to the end of the line.
 */
/**
 * The longest string literal a rule may hold: names, content references and merchant names are short, and a longer
 * one is refused as soon as it is seen, before the lexer spends time on the rest of it.
 */
export const MAX_STRING_LITERAL = 1_000;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#' || (ch === '/' && source[i + 1] === '/')) {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      // CEL's hex integers (0x1F) are read too, as every number here: a double.
      const match = /^(?:0[xX][0-9a-fA-F]+|(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)/.exec(
        source.slice(i),
      )!;
      i += match[0].length;
      if ((source[i] === 'u' || source[i] === 'U') && !/[A-Za-z0-9_]/.test(source[i + 1] ?? '')) {
        throw new LexError(
          `an unsigned number (${match[0]}${source[i]}) has no place here: every number is a double; write ${match[0]}`,
          { start, end: i + 1 },
        );
      }
      if (/[A-Za-z_]/.test(source[i] ?? '')) {
        throw new LexError(`unexpected "${source[i]}" after the number ${match[0]}`, { start, end: i + 1 });
      }
      tokens.push({ kind: 'number', value: Number(match[0]), span: { start, end: i } });
      continue;
    }
    // A string: '...' or "...", triple-quoted ('''...''' or """...""", which may span lines), raw with an r or R
    // before it (backslashes are plain characters). Bytes literals (b"...") have no place in the language.
    const prefix = /^(?:[rR][bB]?|[bB][rR]?)(?=["'])/.exec(source.slice(i, i + 3))?.[0] ?? '';
    if (/[bB]/.test(prefix))
      throw new LexError('bytes literals (b"...") are not part of the rules language: write a string', {
        start,
        end: i + prefix.length + 1,
      });
    if (ch === '"' || ch === "'" || prefix !== '') {
      i += prefix.length;
      const quote = source.startsWith(source[i]!.repeat(3), i) ? source[i]!.repeat(3) : source[i]!;
      const raw = prefix !== '';
      let value = '';
      i += quote.length;
      while (i < source.length && !source.startsWith(quote, i)) {
        if (source[i] === '\n' && quote.length === 1) break;
        if (source[i] === '\\' && !raw) {
          const escape = escapeAt(source, i);
          value += escape.value;
          i += escape.length;
        } else {
          // A raw string keeps a backslash and the character after it (so r"\"" still ends at its last quote).
          const step = source[i] === '\\' && i + 1 < source.length ? 2 : 1;
          value += source.slice(i, i + step);
          i += step;
        }
        if (value.length > MAX_STRING_LITERAL)
          throw new LexError(
            `a string of more than ${MAX_STRING_LITERAL.toLocaleString('en')} characters: shorten it`,
            { start, end: i },
          );
      }
      if (!source.startsWith(quote, i))
        throw new LexError(
          quote.length === 1
            ? 'this string is not closed before the end of the line'
            : `this string is not closed: end it with ${quote}`,
          { start, end: i },
        );
      i += quote.length;
      tokens.push({ kind: 'string', value, span: { start, end: i } });
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const text = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))![0];
      i += text.length;
      tokens.push({ kind: 'ident', value: text, span: { start, end: i } });
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (!punct) throw new LexError(`unexpected character "${ch}"`, { start, end: i + 1 });
    i += punct.length;
    tokens.push({ kind: 'punct', value: punct, span: { start, end: i } });
  }
  tokens.push({ kind: 'eof', value: '', span: { start: source.length, end: source.length } });
  return tokens;
}
