/**
 * Every function of the rules DSL, one entry each: its name and whether it is called as f(x) or x.f(), the
 * argument and result types of each overload, its value, and how a standard CEL engine reads it. The checker,
 * the interpreter, the compiler and the CEL cross-check all read this table, so adding a function is one entry
 * here (plus, for an aggregate over transactions, its reduction in the compiler's one-pass plan).
 *
 * The macros (filter, map, exists, all) are not functions: they bind a variable, and the checker, interpreter and
 * compiler treat them as syntax.
 */
import type { Expr } from './ast';
import { exactSum } from './exact-sum';
import { BOOL, DOUBLE, listOf, sameType, STRING, typeName, type Type } from './types';
import { codePointLength } from './values';

/** What an argument, or a method's receiver, may be. */
export interface ArgumentType {
  accepts(type: Type): boolean;
  /** For messages: "a list of number", "a list or a string". */
  describe: string;
}

export interface Overload {
  /** The arguments after the receiver. */
  params: readonly ArgumentType[];
  result: Type;
  /**
   * The value, from the receiver (methods) and the arguments, in order, already evaluated and type-checked.
   * Aggregates of an empty list are 0: "no spending" reads as 0 spent, on average and at most.
   */
  evaluate: (...values: never[]) => unknown;
  /** Its declaration for a standard CEL engine that lacks it, e.g. "sum(list): double" (registered in the cross-check). */
  celDeclaration?: string;
}

/** How a list of numbers folds into one: the compiler computes it in one pass, the plan shares passes. */
export type Reduction = 'sum' | 'avg' | 'max' | 'min' | 'count';

export interface DslFunction {
  name: string;
  /** Present for x.f(): what x may be. */
  receiver?: ArgumentType;
  overloads: readonly Overload[];
  /** For a function of one list argument that reduces it (sum, avg, max, min; size counts). */
  reduces?: Reduction;
  /** The DSL's numbers are all doubles; a standard CEL function returning an int is read as double(f(...)). */
  celReturnsInt?: boolean;
}

const exactly = (type: Type): ArgumentType => ({
  accepts: (t) => sameType(t, type),
  describe: `a ${typeName(type)}`,
});
const LIST_OR_STRING: ArgumentType = {
  accepts: (t) => t.kind === 'list' || t.kind === 'string' || t.kind === 'error',
  describe: 'a list or a string',
};
const NUMBERS = exactly(listOf(DOUBLE));
const NUMBER = exactly(DOUBLE);

const sum = (values: readonly number[]): number => (values.length === 0 ? 0 : exactSum(values));
// Math.max and Math.min, not comparisons: their result does not depend on the order of the list (a NaN anywhere
// gives NaN, and -0 is below 0), so the compiler, which reads transactions newest first, agrees with list order.
const largest = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => Math.max(a, b));
const smallest = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => Math.min(a, b));
// Strings are measured in code points, as CEL measures them (size('🐱') is 1).
const length = (value: readonly unknown[] | string): number =>
  typeof value === 'string' ? codePointLength(value) : value.length;

/** max and min: of a list of numbers, or of two numbers. */
const extremum = (
  name: 'max' | 'min',
  ofList: (values: readonly number[]) => number,
  ofTwo: (a: number, b: number) => number,
): DslFunction => ({
  name,
  reduces: name,
  overloads: [
    { params: [NUMBERS], result: DOUBLE, evaluate: ofList, celDeclaration: `${name}(list): double` },
    {
      params: [NUMBER, NUMBER],
      result: DOUBLE,
      evaluate: (a: number, b: number) => ofTwo(a, b),
      celDeclaration: `${name}(double, double): double`,
    },
  ],
});

export const FUNCTIONS: readonly DslFunction[] = [
  {
    name: 'sum',
    reduces: 'sum',
    // Exact, then rounded once: the result does not depend on the order of the list.
    overloads: [{ params: [NUMBERS], result: DOUBLE, evaluate: sum, celDeclaration: 'sum(list): double' }],
  },
  {
    name: 'avg',
    reduces: 'avg',
    overloads: [
      {
        params: [NUMBERS],
        result: DOUBLE,
        evaluate: (values: readonly number[]) => (values.length === 0 ? 0 : exactSum(values) / values.length),
        celDeclaration: 'avg(list): double',
      },
    ],
  },
  extremum('max', largest, Math.max),
  extremum('min', smallest, Math.min),
  {
    name: 'size',
    reduces: 'count',
    celReturnsInt: true,
    overloads: [{ params: [LIST_OR_STRING], result: DOUBLE, evaluate: length }],
  },
  {
    name: 'size',
    receiver: LIST_OR_STRING,
    celReturnsInt: true,
    overloads: [{ params: [], result: DOUBLE, evaluate: length }],
  },
  {
    name: 'contains',
    receiver: exactly(STRING),
    overloads: [{ params: [exactly(STRING)], result: BOOL, evaluate: (s: string, part: string) => s.includes(part) }],
  },
  {
    name: 'startsWith',
    receiver: exactly(STRING),
    overloads: [
      { params: [exactly(STRING)], result: BOOL, evaluate: (s: string, prefix: string) => s.startsWith(prefix) },
    ],
  },
  {
    name: 'endsWith',
    receiver: exactly(STRING),
    overloads: [
      { params: [exactly(STRING)], result: BOOL, evaluate: (s: string, suffix: string) => s.endsWith(suffix) },
    ],
  },
];

const GLOBAL = new Map(FUNCTIONS.filter((f) => !f.receiver).map((f) => [f.name, f]));
const METHODS = new Map(FUNCTIONS.filter((f) => f.receiver).map((f) => [f.name, f]));

/** The function a call names: f(x) when it has no target, x.f() when it has one. */
export const lookupFunction = (name: string, method: boolean): DslFunction | undefined =>
  (method ? METHODS : GLOBAL).get(name);

/** Names for messages: the functions called as f(x), and the methods. */
export const FUNCTION_NAMES: readonly string[] = [...GLOBAL.keys()];
export const METHOD_NAMES: readonly string[] = [...METHODS.keys()];

/** Functions that reduce a list of numbers (sum, avg, max, min), with their reductions. */
export const AGGREGATE_REDUCTIONS: ReadonlyMap<string, Reduction> = new Map(
  FUNCTIONS.filter((f) => !f.receiver && f.reduces && f.reduces !== 'count').map((f) => [f.name, f.reduces!]),
);

/** The overload of a call with this many arguments. */
export const overloadFor = (fn: DslFunction, argumentCount: number): Overload | undefined =>
  fn.overloads.find((o) => o.params.length === argumentCount);

/** An overload's value as a plain function of up to two values (receiver first): the compiled form calls it. */
export const valueOf = (overload: Overload): ((a?: unknown, b?: unknown) => unknown) =>
  overload.evaluate as (a?: unknown, b?: unknown) => unknown;

/** A call as a standard CEL engine must read it: a function whose CEL result is an int is wrapped in double(). */
export function toStandardCall(call: Extract<Expr, { kind: 'call' }>): Expr {
  return lookupFunction(call.name, call.target !== undefined)?.celReturnsInt
    ? { kind: 'call', name: 'double', args: [call], span: call.span }
    : call;
}
