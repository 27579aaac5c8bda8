import { BINARY_PRECEDENCE, type Expr } from './ast';

const PRECEDENCE: Record<string, number> = { '?:': 0, ...BINARY_PRECEDENCE, unary: 6, postfix: 7 };

export function printNumber(value: number): string {
  // Always with a decimal point: CEL reads "90" as an int and "90.0" as a double, and every number here is a double.
  // Negative zero keeps its sign: 1 / -0.0 is -Infinity, and String(-0) is "0".
  if (Object.is(value, -0)) return '-0.0';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return `${value}.0`;
  return String(value);
}

export function printString(value: string): string {
  return JSON.stringify(value);
}

const precedenceOf = (expr: Expr): number => {
  switch (expr.kind) {
    case 'conditional':
      return PRECEDENCE['?:']!;
    case 'binary':
      return PRECEDENCE[expr.op]!;
    case 'unary':
      return PRECEDENCE.unary!;
    case 'literal':
      // A negative number prints with a minus sign, which binds like a unary operator.
      return typeof expr.value === 'number' && (expr.value < 0 || Object.is(expr.value, -0))
        ? PRECEDENCE.unary!
        : PRECEDENCE.postfix!;
    default:
      return PRECEDENCE.postfix!;
  }
};

/**
 * Canonical CEL text of an expression: parse(print(e)) has the same structure as e,
 * and the text is valid CEL for any CEL implementation given the same functions.
 */
export function printExpression(expr: Expr): string {
  const wrap = (child: Expr, minimum: number): string => {
    const text = printExpression(child);
    return precedenceOf(child) < minimum ? `(${text})` : text;
  };
  switch (expr.kind) {
    case 'literal':
      if (expr.value === null) return 'null';
      if (typeof expr.value === 'number') return printNumber(expr.value);
      if (typeof expr.value === 'string') return printString(expr.value);
      return String(expr.value);
    case 'ident':
      return expr.name;
    case 'member':
      return `${wrap(expr.object, PRECEDENCE.postfix!)}.${expr.property}`;
    case 'unary': {
      const operand = wrap(expr.operand, PRECEDENCE.unary!);
      // "- -x" keeps its space: "--x" is not an expression.
      return `${expr.op}${expr.op === '-' && operand.startsWith('-') ? ' ' : ''}${operand}`;
    }
    case 'binary': {
      const p = PRECEDENCE[expr.op]!;
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${wrap(expr.left, p)} ${expr.op} ${wrap(expr.right, p + 1)}`;
    }
    case 'conditional':
      return `${wrap(expr.test, 1)} ? ${wrap(expr.then, 0)} : ${wrap(expr.otherwise, 0)}`;
    case 'list':
      return `[${expr.elements.map(printExpression).join(', ')}]`;
    case 'call': {
      const args = expr.args.map(printExpression).join(', ');
      return expr.target ? `${wrap(expr.target, PRECEDENCE.postfix!)}.${expr.name}(${args})` : `${expr.name}(${args})`;
    }
  }
}
