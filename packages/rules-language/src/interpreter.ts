import type { Expr } from './ast';
import { MACROS } from './checker';
import { lookupFunction, overloadFor, valueOf } from './functions';
import { celAdd, celEquals, celIn, celLess, celLessOrEqual } from './values';

/**
 * The reference semantics: a direct tree-walking evaluator with no optimisation.
 * Property tests hold the compiler to it. Expressions are type-checked first, so
 * operands have the types the operators need.
 */
export function interpret(expr: Expr, scope: Readonly<Record<string, unknown>>): unknown {
  const run = (node: Expr, vars: Readonly<Record<string, unknown>>): unknown => {
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'ident':
        return vars[node.name];
      case 'member':
        return (run(node.object, vars) as Record<string, unknown>)[node.property];
      case 'unary':
        return node.op === '!' ? !run(node.operand, vars) : -(run(node.operand, vars) as number);
      case 'conditional':
        return run(node.test, vars) ? run(node.then, vars) : run(node.otherwise, vars);
      case 'list':
        return node.elements.map((e) => run(e, vars));
      case 'binary': {
        if (node.op === '&&') return Boolean(run(node.left, vars)) && Boolean(run(node.right, vars));
        if (node.op === '||') return Boolean(run(node.left, vars)) || Boolean(run(node.right, vars));
        const left = run(node.left, vars);
        const right = run(node.right, vars);
        switch (node.op) {
          case '==':
            return celEquals(left, right);
          case '!=':
            return !celEquals(left, right);
          case '<':
            return celLess(left, right);
          case '<=':
            return celLessOrEqual(left, right);
          case '>':
            return celLess(right, left);
          case '>=':
            return celLessOrEqual(right, left);
          case 'in':
            return celIn(left, right as unknown[]);
          case '+':
            return celAdd(left, right);
          case '-':
            return (left as number) - (right as number);
          case '*':
            return (left as number) * (right as number);
          case '/':
            return (left as number) / (right as number);
        }
        break;
      }
      case 'call': {
        const [first, second] = node.args;
        if (node.target && (MACROS as readonly string[]).includes(node.name)) {
          const name = (first as Extract<Expr, { kind: 'ident' }>).name;
          const items = run(node.target, vars) as unknown[];
          const each = (item: unknown): unknown => run(second!, { ...vars, [name]: item });
          if (node.name === 'filter') return items.filter((item) => each(item));
          if (node.name === 'map') return items.map(each);
          if (node.name === 'exists') return items.some((item) => each(item));
          return items.every((item) => each(item));
        }
        const fn = lookupFunction(node.name, node.target !== undefined);
        const overload = fn && overloadFor(fn, node.args.length);
        if (!overload) throw new Error(`unknown function ${node.name} with ${node.args.length} argument(s)`);
        const values = [...(node.target ? [run(node.target, vars)] : []), ...node.args.map((a) => run(a, vars))];
        return valueOf(overload)(...values);
      }
    }
    throw new Error(`cannot evaluate ${(node as Expr).kind} node`);
  };
  return run(expr, scope);
}
