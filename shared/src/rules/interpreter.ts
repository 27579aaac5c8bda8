import type { Expr } from './ast';
import { exactSum } from './exact-sum';

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
            return left === right;
          case '!=':
            return left !== right;
          case '<':
            return (left as number) < (right as number);
          case '<=':
            return (left as number) <= (right as number);
          case '>':
            return (left as number) > (right as number);
          case '>=':
            return (left as number) >= (right as number);
          case 'in':
            return (right as unknown[]).includes(left);
          case '+':
            return (left as number) + (right as number);
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
        if (node.target) {
          const target = run(node.target, vars);
          const [first, second] = node.args;
          if (node.name === 'size') return (target as unknown[] | string).length;
          if (node.name === 'contains') return (target as string).includes(run(first!, vars) as string);
          if (node.name === 'startsWith') return (target as string).startsWith(run(first!, vars) as string);
          if (node.name === 'endsWith') return (target as string).endsWith(run(first!, vars) as string);
          const name = (first as Extract<Expr, { kind: 'ident' }>).name;
          const items = target as unknown[];
          const each = (item: unknown): unknown => run(second!, { ...vars, [name]: item });
          if (node.name === 'filter') return items.filter((item) => each(item));
          if (node.name === 'map') return items.map(each);
          if (node.name === 'exists') return items.some((item) => each(item));
          if (node.name === 'all') return items.every((item) => each(item));
          break;
        }
        const args = node.args.map((a) => run(a, vars));
        if (node.name === 'size') return (args[0] as unknown[] | string).length;
        if (args.length === 2) {
          return node.name === 'max'
            ? Math.max(args[0] as number, args[1] as number)
            : Math.min(args[0] as number, args[1] as number);
        }
        return aggregate(node.name, args[0] as number[]);
      }
    }
    throw new Error(`cannot evaluate ${node.kind} node`);
  };
  return run(expr, scope);
}

/**
 * Aggregates of an empty list are 0: "no spending" reads as 0 spent, on average and at most.
 * Sums are exact, then rounded once, so they do not depend on the order of the list.
 */
export function aggregate(name: string, values: readonly number[]): number {
  if (values.length === 0) return 0;
  switch (name) {
    case 'sum':
      return exactSum(values);
    case 'avg':
      return exactSum(values) / values.length;
    case 'max':
      return values.reduce((a, b) => (b > a ? b : a));
    case 'min':
      return values.reduce((a, b) => (b < a ? b : a));
    default:
      throw new Error(`unknown aggregate ${name}`);
  }
}
