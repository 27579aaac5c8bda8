import type { Expr, Span } from './ast';
import {
  FUNCTION_NAMES,
  lookupFunction,
  METHOD_NAMES,
  overloadFor,
  type ArgumentType,
  type DslFunction,
} from './functions';
import { BOOL, DOUBLE, ERROR, listOf, NULL, sameType, STRING, typeName, type Type } from './types';

export interface CheckIssue {
  message: string;
  span: Span;
}

/** The list macros: syntax that binds a name to each element (the functions are in functions.ts). */
export const MACROS = ['filter', 'map', 'exists', 'all'] as const;

export interface CheckResult {
  type: Type;
  issues: CheckIssue[];
  /** The type of every sub-expression, for the compiler. */
  types: Map<Expr, Type>;
}

const isNumber = (t: Type): boolean => t.kind === 'double' || t.kind === 'error';
const ORDERED_KINDS: ReadonlySet<Type['kind']> = new Set(['double', 'string', 'bool']);

/** Type-checks an expression against the variables in scope, collecting every problem it finds. */
export function checkExpression(expr: Expr, variables: Readonly<Record<string, Type>>): CheckResult {
  const issues: CheckIssue[] = [];
  const types = new Map<Expr, Type>();
  const fail = (span: Span, message: string): Type => {
    issues.push({ message, span });
    return ERROR;
  };

  const visit = (node: Expr, scope: Readonly<Record<string, Type>>): Type => {
    const type = infer(node, scope);
    types.set(node, type);
    return type;
  };

  const expect = (node: Expr, scope: Readonly<Record<string, Type>>, wanted: Type, role: string): Type => {
    const actual = visit(node, scope);
    if (!sameType(actual, wanted))
      return fail(node.span, `${role} must be a ${typeName(wanted)}, but this is a ${typeName(actual)}`);
    return actual;
  };

  const infer = (node: Expr, scope: Readonly<Record<string, Type>>): Type => {
    switch (node.kind) {
      case 'literal':
        if (node.value === null) return NULL;
        if (typeof node.value === 'number') {
          return Number.isFinite(node.value) ? DOUBLE : fail(node.span, 'this number is too large');
        }
        return typeof node.value === 'string' ? STRING : BOOL;
      case 'ident': {
        // Own names only: "constructor" or "__proto__" must not resolve to what every object inherits.
        const type = Object.hasOwn(scope, node.name) ? scope[node.name] : undefined;
        if (!type) {
          const known = Object.keys(scope).sort().join(', ');
          return fail(node.span, `unknown name "${node.name}"; available here: ${known}`);
        }
        return type;
      }
      case 'member': {
        const object = visit(node.object, scope);
        if (object.kind === 'error') return ERROR;
        if (object.kind !== 'object') return fail(node.span, `a ${typeName(object)} has no field "${node.property}"`);
        const field = Object.hasOwn(object.fields, node.property) ? object.fields[node.property] : undefined;
        if (!field) {
          return fail(
            node.span,
            `unknown field "${node.property}" of ${object.name}; its fields are ${Object.keys(object.fields).join(', ')}`,
          );
        }
        return field;
      }
      case 'unary': {
        const operandType = node.op === '!' ? BOOL : DOUBLE;
        expect(node.operand, scope, operandType, `the operand of "${node.op}"`);
        return operandType;
      }
      case 'binary': {
        const { op } = node;
        if (op === '&&' || op === '||') {
          expect(node.left, scope, BOOL, `each side of "${op}"`);
          expect(node.right, scope, BOOL, `each side of "${op}"`);
          return BOOL;
        }
        const left = visit(node.left, scope);
        const right = visit(node.right, scope);
        if (left.kind === 'error' || right.kind === 'error')
          return op === '+' || op === '-' || op === '*' || op === '/' ? left : BOOL;
        if (op === 'in') {
          if (right.kind !== 'list')
            return fail(node.right.span, `the right side of "in" must be a list, but this is a ${typeName(right)}`);
          if (!sameType(left, right.element)) {
            return fail(node.span, `"in" compares a ${typeName(left)} with a list of ${typeName(right.element)}`);
          }
          return BOOL;
        }
        if (op === '==' || op === '!=') {
          if (!sameType(left, right) && left.kind !== 'null' && right.kind !== 'null') {
            return fail(
              node.span,
              `"${op}" compares a ${typeName(left)} with a ${typeName(right)}; they are never equal`,
            );
          }
          return BOOL;
        }
        if (op === '<' || op === '<=' || op === '>' || op === '>=') {
          // CEL orders numbers, strings (by code point) and booleans (false before true); never two kinds at once.
          if (left.kind !== right.kind || !ORDERED_KINDS.has(left.kind)) {
            return fail(
              node.span,
              `"${op}" needs two numbers, two strings or two booleans, not a ${typeName(left)} and a ${typeName(right)}`,
            );
          }
          return BOOL;
        }
        if (op === '+' && left.kind === 'string' && right.kind === 'string') return STRING;
        if (op === '+' && left.kind === 'list' && right.kind === 'list') {
          if (!sameType(left, right))
            return fail(node.span, `"+" joins two lists of one kind, not a ${typeName(left)} and a ${typeName(right)}`);
          return left.element.kind === 'error' ? right : left;
        }
        if (!isNumber(left) || !isNumber(right)) {
          const needs = op === '+' ? 'adds two numbers or joins two strings or two lists' : 'needs two numbers';
          return fail(node.span, `"${op}" ${needs}, not a ${typeName(left)} and a ${typeName(right)}`);
        }
        return DOUBLE;
      }
      case 'conditional': {
        expect(node.test, scope, BOOL, 'the condition of "? :"');
        const then = visit(node.then, scope);
        const otherwise = visit(node.otherwise, scope);
        if (!sameType(then, otherwise)) {
          return fail(
            node.span,
            `both branches of "? :" must have one type, not ${typeName(then)} and ${typeName(otherwise)}`,
          );
        }
        return then.kind === 'error' ? otherwise : then;
      }
      case 'list': {
        if (node.elements.length === 0) return fail(node.span, 'an empty list has no type here; leave it out');
        const first = visit(node.elements[0]!, scope);
        for (const element of node.elements.slice(1)) expect(element, scope, first, 'every element of a list');
        return listOf(first);
      }
      case 'call':
        return node.target ? inferMethod(node, node.target, scope) : inferFunction(node, scope);
    }
  };

  /** Checks a call against the function's overloads: which one by its arguments' count, then each argument. */
  const checkCall = (
    node: Extract<Expr, { kind: 'call' }>,
    fn: DslFunction,
    scope: Readonly<Record<string, Type>>,
  ): Type => {
    const label = fn.receiver ? `.${node.name}()` : `${node.name}()`;
    const overload = overloadFor(fn, node.args.length);
    if (!overload) {
      const counts = [...new Set(fn.overloads.map((o) => o.params.length))];
      return fail(node.span, `${node.name}() takes ${counts.join(' or ')} argument(s), not ${node.args.length}`);
    }
    const role = overload.params.length === 1 ? `the argument of ${label}` : `each argument of ${label}`;
    overload.params.forEach((param: ArgumentType, i) => {
      const arg = node.args[i]!;
      const actual = visit(arg, scope);
      if (!param.accepts(actual))
        fail(arg.span, `${role} must be ${param.describe}, but this is a ${typeName(actual)}`);
    });
    return overload.result;
  };

  const inferFunction = (node: Extract<Expr, { kind: 'call' }>, scope: Readonly<Record<string, Type>>): Type => {
    const fn = lookupFunction(node.name, false);
    if (fn) return checkCall(node, fn, scope);
    return fail(
      node.span,
      `unknown function "${node.name}"; functions: ${FUNCTION_NAMES.join(', ')}, and on lists ${MACROS.join(', ')}, ` +
        METHOD_NAMES.filter((m) => lookupFunction(m, true)!.receiver!.accepts(listOf(DOUBLE))).join(', '),
    );
  };

  const inferMethod = (
    node: Extract<Expr, { kind: 'call' }>,
    target: Expr,
    scope: Readonly<Record<string, Type>>,
  ): Type => {
    const receiver = visit(target, scope);
    if (receiver.kind === 'error') return ERROR;
    if ((MACROS as readonly string[]).includes(node.name)) {
      if (receiver.kind !== 'list')
        return fail(node.span, `.${node.name}() works on lists, not on a ${typeName(receiver)}`);
      if (node.args.length !== 2) return fail(node.span, `${node.name}() takes 2 argument(s), not ${node.args.length}`);
      const variable = node.args[0]!;
      if (variable.kind !== 'ident') {
        return fail(
          variable.span,
          `the first argument of .${node.name}() names each element, e.g. t in .${node.name}(t, ...)`,
        );
      }
      if (Object.hasOwn(scope, variable.name)) {
        return fail(variable.span, `"${variable.name}" is already a name here; choose another for the element`);
      }
      const inner = { ...scope, [variable.name]: receiver.element };
      if (node.name === 'map') return listOf(visit(node.args[1]!, inner));
      expect(node.args[1]!, inner, BOOL, `the condition of .${node.name}()`);
      return node.name === 'filter' ? receiver : BOOL;
    }
    const fn = lookupFunction(node.name, true);
    if (!fn) return fail(node.span, `a ${typeName(receiver)} has no method ${node.name}()`);
    if (!fn.receiver!.accepts(receiver))
      return fail(node.span, `.${node.name}() works on ${fn.receiver!.describe}, not on a ${typeName(receiver)}`);
    return checkCall(node, fn, scope);
  };

  const type = visit(expr, variables);
  return { type, issues, types };
}
