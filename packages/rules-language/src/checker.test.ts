/**
 * The checker's verdicts, word for word: the type of each well-formed expression, and for each mistake the one
 * message a business user sees (and no cascade of follow-on errors from it).
 */
import { checkExpression } from './checker';
import { CUSTOMER_VARIABLES } from './customer-schema';
import { parseExpression } from './parser';
import { typeName } from './types';

const check = (text: string) => checkExpression(parseExpression(text), CUSTOMER_VARIABLES);
const messages = (text: string) => check(text).issues.map((issue) => issue.message);

describe('the checker', () => {
  it.each([
    ['profile.age + 1.0', 'number'],
    ['profile.age - balances.current * 2.0 / 3.0', 'number'],
    ['"a" + profile.region', 'string'],
    ['profile.region < "m"', 'bool'],
    ['profile.age >= 1.0', 'bool'],
    ['profile.region == null', 'bool'],
    ['null != profile.age', 'bool'],
    ['profile.region in ["london"]', 'bool'],
    ['profile.isHomeowner ? 1.0 : 2.0', 'number'],
    ['profile.isHomeowner ? "a" : "b"', 'string'],
    ['[1.0, 2.0]', 'list of number'],
    ['transactions.filter(t, t.amount > 1.0)', 'list of transaction'],
    ['transactions.map(t, t.amount)', 'list of number'],
    ['transactions.exists(t, t.amount > 1.0)', 'bool'],
    ['!profile.isHomeowner', 'bool'],
    ['-profile.age', 'number'],
    ['null', 'null'],
  ])('types %s as a %s', (text, type) => {
    const checked = check(text);
    expect(checked.issues).toEqual([]);
    expect(typeName(checked.type)).toBe(type);
  });

  it.each([
    ['1e309 > 1.0', ['this number is too large']],
    ['profile.age.years > 1.0', ['a number has no field "years"']],
    ['profile.agee.years > 1.0', [expect.stringMatching(/^unknown field "agee" of profile/)]],
    ['!profile.age', ['the operand of "!" must be a bool, but this is a number']],
    ['-profile.region', ['the operand of "-" must be a number, but this is a string']],
    ['profile.age && true', ['each side of "&&" must be a bool, but this is a number']],
    ['true || "x"', ['each side of "||" must be a bool, but this is a string']],
    ['profile.age in 1.0', ['the right side of "in" must be a list, but this is a number']],
    ['profile.age in ["a"]', ['"in" compares a number with a list of string']],
    ['profile.age == "a"', ['"==" compares a number with a string; they are never equal']],
    ['profile.isHomeowner != 1.0', ['"!=" compares a bool with a number; they are never equal']],
    ['profile.age < "a"', ['"<" needs two numbers, two strings or two booleans, not a number and a string']],
    ['"a" >= profile.age', ['">=" needs two numbers, two strings or two booleans, not a string and a number']],
    ['true > 1.0', ['">" needs two numbers, two strings or two booleans, not a bool and a number']],
    ['"a" - "b"', ['"-" needs two numbers, not a string and a string']],
    ['"a" * 2.0', ['"*" needs two numbers, not a string and a number']],
    ['profile.age + "a"', ['"+" adds two numbers or joins two strings or two lists, not a number and a string']],
    ['[1.0] + ["a"]', ['"+" joins two lists of one kind, not a list of number and a list of string']],
    ['[1.0] + 1.0', ['"+" adds two numbers or joins two strings or two lists, not a list of number and a number']],
    ['true < "a"', ['"<" needs two numbers, two strings or two booleans, not a bool and a string']],
    [
      '[1.0] < [2.0]',
      ['"<" needs two numbers, two strings or two booleans, not a list of number and a list of number'],
    ],
    ['1.0 ? 1.0 : 2.0', ['the condition of "? :" must be a bool, but this is a number']],
    ['true ? 1.0 : "a"', ['both branches of "? :" must have one type, not number and string']],
    ['[1.0, "a"]', ['every element of a list must be a number, but this is a string']],
    ['[1.0, 2.0, true]', ['every element of a list must be a number, but this is a bool']],
    ['profile.region.filter(t, true)', ['.filter() works on lists, not on a string']],
    ['transactions.exists(t)', ['exists() takes 2 argument(s), not 1']],
    ['transactions.all(1.0, true)', ['the first argument of .all() names each element, e.g. t in .all(t, ...)']],
    ['transactions.exists(profile, true)', ['"profile" is already a name here; choose another for the element']],
    ['transactions.filter(t, t.amount)', ['the condition of .filter() must be a bool, but this is a number']],
    ['profile.region.sum()', ['a string has no method sum()']],
    ['profile.age.startsWith("a")', ['.startsWith() works on a string, not on a number']],
    ['max(1.0)', ['the argument of max() must be a list of number, but this is a number']],
    ['max(1.0, 2.0, 3.0)', ['max() takes 1 or 2 argument(s), not 3']],
    ['min("a", 1.0)', ['each argument of min() must be a number, but this is a string']],
    ['size(1.0)', ['the argument of size() must be a list or a string, but this is a number']],
    [
      'median(1.0)',
      [expect.stringMatching(/^unknown function "median"; functions: .+, and on lists filter, map, exists, all, \w/)],
    ],
  ])('refuses %s, saying so once', (text, expected) => {
    expect(messages(text)).toEqual(expected);
  });

  it('reports a mistake once, not again in every expression around it', () => {
    expect(messages('(profile.agee + 1.0) * 2.0 > 3.0 && (profile.agee.x).startsWith("a")')).toHaveLength(2);
    expect(messages('(profile.agee ? 1.0 : 2.0) + 1.0')).toHaveLength(1);
    expect(messages('true ? profile.agee : 1.0')).toHaveLength(1);
    expect(messages('true ? 1.0 : profile.agee')).toHaveLength(1);
    expect(messages('profile.agee.sum()')).toHaveLength(1);
    expect(typeName(check('true ? profile.agee : 1.0').type)).toBe('number');
  });

  it('records the type of every node it checked', () => {
    const expr = parseExpression('profile.age + 1.0');
    const { types } = checkExpression(expr, CUSTOMER_VARIABLES);
    expect(
      expr.kind === 'binary' &&
        [types.get(expr), types.get(expr.left), types.get(expr.right)].map((t) => t && typeName(t)),
    ).toEqual(['number', 'number', 'number']);
  });
});
