import { Environment } from '@marcbachmann/cel-js';
import type { Expr } from '../../rules/ast';
import { exactSum } from '../../rules/exact-sum';
import { parseExpression } from '../../rules/parser';
import { printExpression } from '../../rules/printer';

/**
 * An independent CEL implementation (@marcbachmann/cel-js) given the DSL's
 * functions, to hold our compiler to: aggregates over lists of doubles (exact
 * sums, 0 for an empty list) and two-argument min/max. Used by tests and
 * benchmarks only.
 */
export function celReferenceEnvironment(): Environment {
  const numbers = (values: unknown[]): number[] => values.map(Number);
  return new Environment({ unlistedVariablesAreDyn: true })
    .registerFunction('sum(list): double', (l: unknown[]) => exactSum(numbers(l)))
    .registerFunction('avg(list): double', (l: unknown[]) => (l.length === 0 ? 0 : exactSum(numbers(l)) / l.length))
    .registerFunction('max(list): double', (l: unknown[]) => (l.length === 0 ? 0 : Math.max(...numbers(l))))
    .registerFunction('min(list): double', (l: unknown[]) => (l.length === 0 ? 0 : Math.min(...numbers(l))))
    .registerFunction('max(double, double): double', (a: number, b: number) => Math.max(a, b))
    .registerFunction('min(double, double): double', (a: number, b: number) => Math.min(a, b));
}

/**
 * The DSL is CEL in which every number is a double, including size(). Standard CEL
 * says size() is an int, so for a standard engine size(x) is written double(size(x)),
 * CEL's own conversion; nothing else changes.
 */
export function toStandardCel(source: string | Expr): string {
  const rewrite = (e: Expr): Expr => {
    switch (e.kind) {
      case 'member':
        return { ...e, object: rewrite(e.object) };
      case 'unary':
        return { ...e, operand: rewrite(e.operand) };
      case 'binary':
        return { ...e, left: rewrite(e.left), right: rewrite(e.right) };
      case 'conditional':
        return { ...e, test: rewrite(e.test), then: rewrite(e.then), otherwise: rewrite(e.otherwise) };
      case 'list':
        return { ...e, elements: e.elements.map(rewrite) };
      case 'call': {
        const call: Expr = { ...e, target: e.target && rewrite(e.target), args: e.args.map(rewrite) };
        return e.name === 'size' ? { kind: 'call', name: 'double', args: [call], span: e.span } : call;
      }
      default:
        return e;
    }
  };
  return printExpression(rewrite(typeof source === 'string' ? parseExpression(source) : source));
}
