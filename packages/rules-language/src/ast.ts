/** Source positions are character offsets into the rules file; errors turn them into line:column. */
export interface Span {
  start: number;
  end: number;
}

export type BinaryOperator = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/';
export type UnaryOperator = '!' | '-';

/** CEL's binary operator precedence, higher binds tighter; shared by the parser and the printer. */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOperator, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  in: 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
};

export type Expr =
  | { kind: 'literal'; value: number | string | boolean | null; span: Span }
  | { kind: 'ident'; name: string; span: Span }
  | { kind: 'member'; object: Expr; property: string; span: Span }
  | { kind: 'unary'; op: UnaryOperator; operand: Expr; span: Span }
  | { kind: 'binary'; op: BinaryOperator; left: Expr; right: Expr; span: Span }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr; span: Span }
  | { kind: 'list'; elements: Expr[]; span: Span }
  /** f(args) when target is undefined; target.f(args) otherwise (CEL receiver-style calls and macros). */
  | { kind: 'call'; name: string; target?: Expr; args: Expr[]; span: Span };

/** The terms of an `a && b && c` chain, left to right. */
export const conjuncts = (expr: Expr): Expr[] =>
  expr.kind === 'binary' && expr.op === '&&' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];

export function countNodes(expr: Expr): number {
  switch (expr.kind) {
    case 'literal':
    case 'ident':
      return 1;
    case 'member':
      return 1 + countNodes(expr.object);
    case 'unary':
      return 1 + countNodes(expr.operand);
    case 'binary':
      return 1 + countNodes(expr.left) + countNodes(expr.right);
    case 'conditional':
      return 1 + countNodes(expr.test) + countNodes(expr.then) + countNodes(expr.otherwise);
    case 'list':
      return 1 + expr.elements.reduce((n, e) => n + countNodes(e), 0);
    case 'call':
      return 1 + (expr.target ? countNodes(expr.target) : 0) + expr.args.reduce((n, e) => n + countNodes(e), 0);
  }
}
