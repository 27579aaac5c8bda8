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
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  '/': '/',
};

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
      const match = /^(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      i += match[0].length;
      if (/[A-Za-z_]/.test(source[i] ?? '')) {
        throw new LexError(`unexpected "${source[i]}" after the number ${match[0]}`, { start, end: i + 1 });
      }
      tokens.push({ kind: 'number', value: Number(match[0]), span: { start, end: i } });
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\n') break;
        if (source[i] === '\\' && source[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
          value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (source[i] === '\\') {
          const escaped = ESCAPES[source[i + 1] ?? ''];
          if (escaped === undefined) {
            throw new LexError(`unknown escape "\\${source[i + 1] ?? ''}" in a string`, { start: i, end: i + 2 });
          }
          value += escaped;
          i += 2;
          continue;
        }
        value += source[i];
        i++;
        if (value.length > MAX_STRING_LITERAL)
          throw new LexError(
            `a string of more than ${MAX_STRING_LITERAL.toLocaleString('en')} characters: shorten it`,
            { start, end: i },
          );
      }
      if (source[i] !== ch)
        throw new LexError('this string is not closed before the end of the line', { start, end: i });
      i++;
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
