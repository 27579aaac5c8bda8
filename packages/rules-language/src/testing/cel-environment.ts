import { Environment } from '@marcbachmann/cel-js';
import type { Expr } from '../ast';
import { FUNCTIONS, toStandardCall, valueOf } from '../functions';
import { parseExpression } from '../parser';
import { printExpression } from '../printer';

/**
 * An independent CEL implementation (@marcbachmann/cel-js) given the DSL's
 * functions, to hold our compiler to: aggregates over lists of doubles (exact
 * sums, 0 for an empty list) and two-argument min/max. Used by tests and
 * benchmarks only.
 */
export function celReferenceEnvironment(): Environment {
  let environment = new Environment({ unlistedVariablesAreDyn: true });
  // Every DSL function a standard engine lacks, with the DSL's own value (lists of numbers arrive as CEL values).
  for (const fn of FUNCTIONS)
    for (const overload of fn.overloads)
      if (overload.celDeclaration) {
        const run = valueOf(overload);
        environment = environment.registerFunction(overload.celDeclaration, (...args: unknown[]) =>
          run(...args.map((arg) => (Array.isArray(arg) ? arg.map(Number) : arg))),
        );
      }
  return environment;
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
        return toStandardCall({ ...e, target: e.target && rewrite(e.target), args: e.args.map(rewrite) });
      }
      default:
        return e;
    }
  };
  return printExpression(rewrite(typeof source === 'string' ? parseExpression(source) : source));
}
