import { sampleCustomer, toStandardCel } from './testing';
import type { Expr } from './ast';
import { checkExpression } from './checker';
import { AggregatePlan, Compiler } from './compiler';
import { CUSTOMER_VARIABLES } from './customer-schema';
import { FUNCTIONS, lookupFunction } from './functions';
import { interpret } from './interpreter';
import { parseExpression } from './parser';

const VARIABLES = CUSTOMER_VARIABLES;
const issues = (text: string) => checkExpression(parseExpression(text), VARIABLES).issues.map((i) => i.message);

const compiledValue = (text: string) => {
  const plan = new AggregatePlan();
  const compiled = new Compiler(plan, new Set(Object.keys(VARIABLES))).compile(parseExpression(text));
  const facts = sampleCustomer(3) as unknown as Record<string, unknown>;
  return compiled(facts, [], plan.computeAll(facts));
};

describe('the DSL function table', () => {
  it('is what the checker knows: every function by name and style, nothing else', () => {
    const calls: [string, boolean][] = FUNCTIONS.map((fn) => [fn.name, fn.receiver !== undefined]);
    for (const [name, method] of calls) expect(lookupFunction(name, method)?.name).toBe(name);
    expect(lookupFunction('median', false)).toBeUndefined();
    expect(lookupFunction('sum', true)).toBeUndefined();
    expect(issues('profile.region.sum()')).toEqual(['a string has no method sum()']);
  });

  it.each([
    ['max(1.0, 2.0, 3.0)', 'max() takes 1 or 2 argument(s), not 3'],
    ['sum(profile.age)', 'the argument of sum() must be a list of number, but this is a number'],
    ['max(1.0, "2")', 'each argument of max() must be a number, but this is a string'],
    ['size(profile.age)', 'the argument of size() must be a list or a string, but this is a number'],
    ['profile.age.size()', '.size() works on a list or a string, not on a number'],
    ['profile.region.startsWith(1.0)', 'the argument of .startsWith() must be a string, but this is a number'],
    ['profile.age.contains("1")', '.contains() works on a string, not on a number'],
    ['profile.region.endsWith()', 'endsWith() takes 1 argument(s), not 0'],
  ])('checks %s against its overloads: %s', (text, message) => {
    expect(issues(text)).toEqual([message]);
  });

  it.each([
    ['size("abc")', 3],
    ['"abc".size()', 3],
    ['"lending".startsWith("lend")', true],
    ['"lending".endsWith("lend")', false],
    ['"lending".contains("end")', true],
    ['max(1.0, 2.0)', 2],
    ['min(1.0, 2.0)', 1],
    ['sum([0.1, 0.2, 0.3])', 0.6],
    ['avg([])', 0],
    ['max([])', 0],
  ])('gives %s the same value interpreted and compiled: %j', (text, value) => {
    expect(interpret(parseExpression(text), {})).toEqual(value);
    expect(compiledValue(text)).toEqual(value);
  });

  it('gives max and min of a list whatever its order: a NaN anywhere wins, -0 is below 0', () => {
    const extremes = (values: number[]) =>
      ['max', 'min'].map((name) =>
        (lookupFunction(name, false)!.overloads[0]!.evaluate as (v: number[]) => number)(values),
      );
    for (const values of [
      [Number.NaN, 1, 2],
      [1, Number.NaN, 2],
      [1, 2, Number.NaN],
    ])
      expect(extremes(values)).toEqual([Number.NaN, Number.NaN]);
    expect(extremes([-0, 0])).toEqual([0, -0]);
    expect(extremes([0, -0])).toEqual([0, -0]);
  });

  it('agrees compiled (newest transaction first) and interpreted (list order) on a NaN and a -0 in a list', () => {
    const facts = sampleCustomer(3) as unknown as { transactions: { daysAgo: number }[] };
    // The newest transaction in the middle of the list: first for the compiler, not for the interpreter.
    facts.transactions[150]!.daysAgo = 0;
    for (const text of [
      'min(transactions.map(t, t.daysAgo / t.daysAgo))',
      'max(transactions.map(t, t.daysAgo / t.daysAgo))',
      // -0 for the recent transactions, 0 for the others.
      'min(transactions.map(t, (t.daysAgo - 5.0) * 0.0))',
      'max(transactions.map(t, (t.daysAgo - 5.0) * 0.0))',
    ]) {
      const plan = new AggregatePlan();
      const compiled = new Compiler(plan, new Set(Object.keys(VARIABLES))).compile(parseExpression(text));
      const f = facts as unknown as Record<string, unknown>;
      expect(compiled(f, [], plan.computeAll(f))).toEqual(interpret(parseExpression(text), f));
    }
  });

  it('makes an unknown function a compile error, never a fallback to another function', () => {
    const unknown: Expr = {
      kind: 'call',
      name: 'median',
      target: { kind: 'literal', value: 'abc', span: { start: 0, end: 5 } },
      args: [{ kind: 'literal', value: 'c', span: { start: 13, end: 16 } }],
      span: { start: 0, end: 17 },
    };
    const compiler = new Compiler(new AggregatePlan(), new Set());
    expect(() => compiler.compile(unknown)).toThrow(/no function median of 1 argument/);
    expect(() => interpret(unknown, {})).toThrow(/unknown function median/);
  });

  it('says how a standard CEL engine reads each call (size is an int there)', () => {
    expect(toStandardCel('size(transactions) + "ab".size()')).toBe('double(size(transactions)) + double("ab".size())');
    expect(toStandardCel('sum(transactions.map(t, t.amount))')).toBe('sum(transactions.map(t, t.amount))');
  });
});
