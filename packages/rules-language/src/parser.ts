import { BINARY_PRECEDENCE, type BinaryOperator, type Expr, type Span } from './ast';
import { tokenize, type Token } from './lexer';

export class ParseError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/**
 * Nesting deeper than this is refused: no rule needs it, and it bounds the parser's recursion. Each bracket, list,
 * call's arguments, right operand and "? :" branch is one level below the expression around it; the whole expression
 * is level 0, so 32 brackets around a value are allowed and 33 are not.
 */
export const MAX_NESTING_DEPTH = 32;

/**
 * A tree taller than this is refused. Nesting counts only what the parser recurses into; a flat
 * chain (`a && b && ...`, `x.a.b.c...`) builds a tall tree in a loop, and every later pass
 * (printer, checker, compiler) recurses over that tree. No rule needs more: a rule file takes at
 * most 400 parts per expression, and a tree is never taller than its parts are many.
 */
export const MAX_TREE_HEIGHT = 400;

const describe = (token: Token): string =>
  token.kind === 'eof'
    ? 'the end of the text'
    : token.kind === 'string'
      ? `the string "${token.value}"`
      : `"${token.value}"`;

/** A cursor over tokens, shared by the expression parser and the rules-file parser. */
export class TokenStream {
  private index = 0;

  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  isPunct(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.value === value;
  }

  isIdent(value?: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'ident' && (value === undefined || token.value === value);
  }

  expectPunct(value: string, context: string): Token {
    if (!this.isPunct(value)) {
      throw new ParseError(`expected "${value}" ${context}, found ${describe(this.peek())}`, this.peek().span);
    }
    return this.next();
  }

  expectIdent(context: string): Token {
    if (!this.isIdent())
      throw new ParseError(`expected a name ${context}, found ${describe(this.peek())}`, this.peek().span);
    return this.next();
  }

  get position(): number {
    return this.index;
  }

  set position(value: number) {
    this.index = value;
  }
}

/** Parses one CEL expression starting at the stream's position; stops before the first token it cannot use. */
export function parseExpressionAt(stream: TokenStream): Expr {
  // The whole expression enters at level 0.
  let depth = -1;
  const span = (start: Span, end: Span): Span => ({ start: start.start, end: end.end });
  const heights = new WeakMap<Expr, number>();
  /** Records a node's height from its children's and refuses a tree taller than MAX_TREE_HEIGHT. */
  const built = <T extends Expr>(node: T, children: readonly Expr[]): T => {
    let height = 1;
    for (const child of children) height = Math.max(height, (heights.get(child) ?? 1) + 1);
    if (height > MAX_TREE_HEIGHT) {
      throw new ParseError(
        `the expression chains more than ${MAX_TREE_HEIGHT} operators, selections or calls; split it into simpler parts`,
        node.span,
      );
    }
    heights.set(node, height);
    return node;
  };

  const nested = <T>(at: Span, parse: () => T): T => {
    if (++depth > MAX_NESTING_DEPTH) {
      throw new ParseError(
        `the expression nests deeper than ${MAX_NESTING_DEPTH} levels; split it into simpler parts`,
        at,
      );
    }
    try {
      return parse();
    } finally {
      depth--;
    }
  };

  const expression = (): Expr =>
    nested(stream.peek().span, () => {
      const test = binary(1);
      if (!stream.isPunct('?')) return test;
      stream.next();
      const then = expression();
      stream.expectPunct(':', 'between the two branches of "? :"');
      const otherwise = expression();
      return built({ kind: 'conditional', test, then, otherwise, span: span(test.span, otherwise.span) }, [
        test,
        then,
        otherwise,
      ]);
    });

  const binary = (minPrecedence: number): Expr => {
    let left = unary();
    for (;;) {
      const token = stream.peek();
      const op = token.kind === 'punct' || (token.kind === 'ident' && token.value === 'in') ? String(token.value) : '';
      const precedence = (BINARY_PRECEDENCE as Record<string, number | undefined>)[op];
      if (precedence === undefined || precedence < minPrecedence) return left;
      stream.next();
      const right = nested(token.span, () => binary(precedence + 1));
      left = built({ kind: 'binary', op: op as BinaryOperator, left, right, span: span(left.span, right.span) }, [
        left,
        right,
      ]);
    }
  };

  const unary = (): Expr => {
    const token = stream.peek();
    if (token.kind === 'punct' && (token.value === '!' || token.value === '-')) {
      stream.next();
      const operand = nested(token.span, unary);
      return built({ kind: 'unary', op: token.value, operand, span: span(token.span, operand.span) }, [operand]);
    }
    return postfix(primary());
  };

  const args = (context: string): { args: Expr[]; end: Span } => {
    stream.expectPunct('(', context);
    const list: Expr[] = [];
    if (!stream.isPunct(')')) {
      do list.push(expression());
      while (stream.isPunct(',') && stream.next());
    }
    return { args: list, end: stream.expectPunct(')', `to close the arguments of ${context}`).span };
  };

  const postfix = (base: Expr): Expr => {
    let expr = base;
    while (stream.isPunct('.')) {
      stream.next();
      const name = stream.expectIdent('after "."');
      if (stream.isPunct('(')) {
        const call = args(`${String(name.value)}(...)`);
        expr = built(
          { kind: 'call', name: String(name.value), target: expr, args: call.args, span: span(expr.span, call.end) },
          [expr, ...call.args],
        );
      } else {
        expr = built({ kind: 'member', object: expr, property: String(name.value), span: span(expr.span, name.span) }, [
          expr,
        ]);
      }
    }
    return expr;
  };

  const primary = (): Expr => {
    const token = stream.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'literal', value: token.value as number, span: token.span };
      case 'string':
        return { kind: 'literal', value: token.value as string, span: token.span };
      case 'ident': {
        const name = String(token.value);
        if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true', span: token.span };
        if (name === 'null') return { kind: 'literal', value: null, span: token.span };
        if (stream.isPunct('(')) {
          const call = args(`${name}(...)`);
          return built({ kind: 'call', name, args: call.args, span: span(token.span, call.end) }, call.args);
        }
        return { kind: 'ident', name, span: token.span };
      }
      case 'punct':
        if (token.value === '(') {
          const inner = expression();
          stream.expectPunct(')', 'to close "("');
          return inner;
        }
        if (token.value === '[') {
          const elements: Expr[] = [];
          if (!stream.isPunct(']')) {
            do elements.push(expression());
            while (stream.isPunct(',') && stream.next());
          }
          const end = stream.expectPunct(']', 'to close the list');
          return built({ kind: 'list', elements, span: span(token.span, end.span) }, elements);
        }
        break;
      default:
        break;
    }
    throw new ParseError(`expected a value, a name or "(", found ${describe(token)}`, token.span);
  };

  return expression();
}

/** Parses a whole text as one expression. */
export function parseExpression(source: string): Expr {
  const stream = new TokenStream(tokenize(source));
  const expr = parseExpressionAt(stream);
  if (stream.peek().kind !== 'eof') {
    throw new ParseError(`unexpected ${describe(stream.peek())} after the end of the expression`, stream.peek().span);
  }
  return expr;
}
