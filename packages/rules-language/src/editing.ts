/**
 * What the snoop editor needs of the language, as you type, in the browser: problems with where they are, the fields
 * and functions to complete with their types and a line on each, a snoop run against sample customers with the
 * engine's own explanations, and probes around each number of a condition. Pure: no I/O, so the page bundles it and
 * checks every keystroke without asking a server.
 */
import type { Expr, Span } from './ast';
import { checkExpression } from './checker';
import { CUSTOMER_VARIABLES, type CustomerFacts } from './customer-schema';
import { NotStorableError, storedConditionOf, storedOperandOf } from './definition-from-cel';
import { LexError } from './lexer';
import { ParseError, parseExpression } from './parser';
import { compileRuleFile, LIMITS, printRuleFile, type RuleOutcome, type SnoopDefinition } from './rule-file';
import { countNodes } from './ast';
import { typeName } from './types';

export interface Diagnostic {
  from: number;
  to: number;
  message: string;
}

/** What a text is for: a snoop's condition (true or false) or its score (a number from 0 to 1). */
export type ExpressionRole = 'condition' | 'score';

const spanned = (span: Span, message: string, length: number): Diagnostic => ({
  from: Math.min(span.start, length),
  to: Math.max(Math.min(span.end, length), Math.min(span.start, length)),
  message,
});

/**
 * Every problem of a condition or a score, where it is: a syntax error, each type error, a result of the wrong type,
 * too many parts, and a shape the stored form cannot hold (so it could not be saved). Empty when it can be saved.
 */
export function diagnose(text: string, role: ExpressionRole): Diagnostic[] {
  const whole = { start: 0, end: text.length };
  if (text.trim() === '')
    return [
      spanned(
        whole,
        `write the ${role}: ${role === 'condition' ? 'when the snoop fires' : 'a number from 0 to 1'}`,
        text.length,
      ),
    ];
  let expr: Expr;
  try {
    expr = parseExpression(text);
  } catch (error) {
    if (error instanceof ParseError || error instanceof LexError)
      return [spanned(error.span, error.message, text.length)];
    throw error;
  }
  const nodes = countNodes(expr);
  if (nodes > LIMITS.expressionNodes)
    return [
      spanned(
        whole,
        `${nodes} parts, more than the ${LIMITS.expressionNodes} a ${role} may have: split it`,
        text.length,
      ),
    ];
  const checked = checkExpression(expr, CUSTOMER_VARIABLES);
  const problems = checked.issues.map((issue) => spanned(issue.span, issue.message, text.length));
  if (problems.length > 0) return problems;
  const wanted = role === 'condition' ? 'bool' : 'double';
  if (checked.type.kind !== wanted)
    return [
      spanned(
        whole,
        role === 'condition'
          ? `a condition is true or false; this is ${typeName(checked.type)}`
          : `a score is a number; this is ${typeName(checked.type)}`,
        text.length,
      ),
    ];
  try {
    if (role === 'condition') storedConditionOf(expr);
    else storedOperandOf(expr);
  } catch (error) {
    if (error instanceof NotStorableError) return [spanned(error.span ?? whole, error.message, text.length)];
    throw error;
  }
  return [];
}

/** A field of the customer, as the editor offers it. */
export interface FieldGuide {
  path: string;
  type: 'number' | 'text' | 'yes/no';
  description: string;
  /** A value a customer might have, shown beside the field. */
  sample: number | string | boolean;
}

export const FIELD_GUIDE: readonly FieldGuide[] = [
  { path: 'profile.age', type: 'number', description: 'age in whole years', sample: 34 },
  { path: 'profile.tenureMonths', type: 'number', description: 'months since the customer joined', sample: 20 },
  { path: 'profile.creditScore', type: 'number', description: 'credit score, 0 to 999', sample: 700 },
  { path: 'profile.region', type: 'text', description: 'region of residence, e.g. London, Wales', sample: 'London' },
  {
    path: 'profile.employmentStatus',
    type: 'text',
    description: 'employed, self-employed, student, retired or unemployed',
    sample: 'employed',
  },
  { path: 'profile.isHomeowner', type: 'yes/no', description: 'owns their home', sample: true },
  { path: 'profile.hasOverdraft', type: 'yes/no', description: 'has an arranged overdraft', sample: false },
  {
    path: 'balances.current',
    type: 'number',
    description: 'current account balance (negative when overdrawn)',
    sample: -120,
  },
  { path: 'balances.savings', type: 'number', description: 'savings balance', sample: 300 },
  { path: 'balances.overdraftLimit', type: 'number', description: 'arranged overdraft limit', sample: 500 },
  { path: 'balances.overdraftUsed', type: 'number', description: 'overdraft in use now', sample: 120 },
  { path: 'balances.creditCardDebt', type: 'number', description: 'credit card balance owed', sample: 2000 },
  { path: 'salary.monthlyNet', type: 'number', description: 'monthly salary after tax', sample: 2400 },
  { path: 'salary.paydayOfMonth', type: 'number', description: 'day of the month salary arrives, 1 to 31', sample: 25 },
  { path: 'salary.daysUntilPayday', type: 'number', description: 'days until the next payday', sample: 3 },
];

export const TRANSACTION_GUIDE: readonly FieldGuide[] = [
  { path: 'amount', type: 'number', description: 'how much, always positive (direction says which way)', sample: 12.5 },
  { path: 'direction', type: 'text', description: '"out" for a payment, "in" for money received', sample: 'out' },
  { path: 'category', type: 'text', description: 'e.g. eating-out, groceries, gambling, salary', sample: 'eating-out' },
  { path: 'merchant', type: 'text', description: 'who was paid, or who paid', sample: 'Deliveroo' },
  { path: 'daysAgo', type: 'number', description: 'whole days before today (0 is today)', sample: 5 },
];

/** The functions and macros, with how each is called and what it gives. */
export const FUNCTION_GUIDE: readonly { name: string; signature: string; description: string }[] = [
  { name: 'sum', signature: 'sum(list of number) → number', description: 'the total (0 for none)' },
  { name: 'avg', signature: 'avg(list of number) → number', description: 'the average (0 for none)' },
  { name: 'max', signature: 'max(list of number) → number', description: 'the largest (0 for none)' },
  { name: 'min', signature: 'min(list of number) → number', description: 'the smallest (0 for none)' },
  { name: 'size', signature: 'size(list) → number', description: 'how many' },
  {
    name: 'filter',
    signature: 'transactions.filter(t, condition) → list',
    description: 'the transactions for which the condition holds',
  },
  { name: 'map', signature: 'list.map(t, t.amount) → list of number', description: 'one value of each' },
  {
    name: 'exists',
    signature: 'transactions.exists(t, condition) → yes/no',
    description: 'whether any transaction matches',
  },
  {
    name: 'all',
    signature: 'transactions.all(t, condition) → yes/no',
    description: 'whether every transaction matches',
  },
  { name: 'contains', signature: 'text.contains(part) → yes/no', description: 'whether the text has that part' },
  { name: 'startsWith', signature: 'text.startsWith(part) → yes/no', description: 'whether the text begins with it' },
  { name: 'endsWith', signature: 'text.endsWith(part) → yes/no', description: 'whether the text ends with it' },
];

export interface Completion {
  label: string;
  /** field, function, variable or keyword: how an editor draws it. */
  kind: 'field' | 'function' | 'variable' | 'keyword';
  detail: string;
  info: string;
}

const VARIABLE_INFO: Readonly<Record<string, string>> = {
  profile: 'who the customer is',
  balances: 'what they hold and owe',
  salary: 'their income',
  transactions: 'their recent transactions (a list)',
};

/**
 * What may be typed at `position`: after `profile.` (or `balances.`, `salary.`) that object's fields; after any other
 * name and a dot (a transaction's variable: `t.`) a transaction's fields; otherwise variables, functions and
 * keywords. `from` is where the word being completed starts.
 */
export function completionsAt(text: string, position: number): { from: number; options: Completion[] } {
  const before = text.slice(0, position);
  const member = /([A-Za-z_]\w*)\.(\w*)$/.exec(before);
  if (member) {
    const [, object, typed] = member;
    const from = position - typed!.length;
    const fields =
      object! in VARIABLE_INFO && object !== 'transactions'
        ? FIELD_GUIDE.filter((f) => f.path.startsWith(`${object}.`)).map((f) => ({
            ...f,
            name: f.path.slice(object!.length + 1),
          }))
        : object === 'transactions'
          ? []
          : TRANSACTION_GUIDE.map((f) => ({ ...f, name: f.path }));
    const methods =
      object === 'transactions'
        ? FUNCTION_GUIDE.filter((f) => ['filter', 'map', 'exists', 'all', 'size'].includes(f.name))
        : [];
    return {
      from,
      options: [
        ...fields.map((f) => ({
          label: f.name,
          kind: 'field' as const,
          detail: f.type,
          info: `${f.description} (e.g. ${JSON.stringify(f.sample)})`,
        })),
        ...methods.map((f) => ({ label: f.name, kind: 'function' as const, detail: f.signature, info: f.description })),
      ].filter((option) => option.label.startsWith(typed!)),
    };
  }
  const word = /\w*$/.exec(before)![0];
  const options: Completion[] = [
    ...Object.entries(VARIABLE_INFO).map(([label, info]) => ({
      label,
      kind: 'variable' as const,
      detail: 'customer',
      info,
    })),
    ...FUNCTION_GUIDE.filter((f) => ['sum', 'avg', 'max', 'min', 'size'].includes(f.name)).map((f) => ({
      label: f.name,
      kind: 'function' as const,
      detail: f.signature,
      info: f.description,
    })),
    ...['true', 'false', 'in'].map((label) => ({ label, kind: 'keyword' as const, detail: 'keyword', info: '' })),
  ];
  return { from: position - word.length, options: options.filter((o) => o.label.startsWith(word)) };
}

/** A customer to try snoops on, named so a person recognises them. */
export interface SampleCustomer {
  name: string;
  facts: CustomerFacts;
}

export type SampleOutcome =
  { name: string; fired: boolean; score: number; explanation: string } | { name: string; error: string };

/** A snoop run against each sample customer on `on` (YYYY-MM-DD), as the engine would run it. */
export function runSamples(
  definition: SnoopDefinition,
  samples: readonly SampleCustomer[],
  options: { on: string; currency?: string },
): SampleOutcome[] {
  const compiled = compileRuleFile(printRuleFile([{ ...definition, status: 'active' }]), {
    currency: options.currency ?? 'GBP',
  });
  if (!compiled.ok) return samples.map((s) => ({ name: s.name, error: compiled.errors[0]!.message }));
  return samples.map((sample) => {
    const [outcome] = compiled.ruleSet.evaluateRules(sample.facts, [definition.id], { on: options.on }) as [
      RuleOutcome,
    ];
    return 'qualified' in outcome
      ? { name: sample.name, fired: outcome.qualified, score: outcome.score, explanation: outcome.explanation }
      : { name: sample.name, error: outcome.reason };
  });
}

/** One number of a condition, tried just below, at and just above. */
export interface BoundaryProbe {
  /** Where the number is in the condition, and its value. */
  from: number;
  to: number;
  value: number;
  /**
   * `field`: the sample customer's field set to each value (the number is compared with that field);
   * `threshold`: the number itself changed in the condition (it is compared with an aggregate or a calculation).
   */
  varies: { field: string } | 'threshold';
  tries: { label: 'just below' | 'at' | 'just above'; value: number; fired: boolean }[];
}

const numbersIn = (expr: Expr): { literal: Extract<Expr, { kind: 'literal' }>; other?: Expr }[] => {
  const found: { literal: Extract<Expr, { kind: 'literal' }>; other?: Expr }[] = [];
  const visit = (node: Expr, other?: Expr): void => {
    switch (node.kind) {
      case 'literal':
        if (typeof node.value === 'number') found.push({ literal: node, ...(other ? { other } : {}) });
        return;
      case 'binary': {
        const comparison = ['<', '<=', '>', '>=', '==', '!='].includes(node.op);
        visit(node.left, comparison ? node.right : undefined);
        visit(node.right, comparison ? node.left : undefined);
        return;
      }
      case 'member':
        return visit(node.object);
      case 'unary':
        return visit(node.operand);
      case 'conditional':
        return [node.test, node.then, node.otherwise].forEach((n) => visit(n));
      case 'list':
        return node.elements.forEach((n) => visit(n));
      case 'call':
        if (node.target) visit(node.target);
        return node.args.forEach((n) => visit(n));
      default:
        return;
    }
  };
  visit(expr);
  return found;
};

const CUSTOMER_FIELDS = new Set(FIELD_GUIDE.filter((f) => f.type === 'number').map((f) => f.path));

const dottedPath = (expr: Expr | undefined): string | undefined =>
  expr?.kind === 'ident'
    ? expr.name
    : expr?.kind === 'member'
      ? `${dottedPath(expr.object)}.${expr.property}`
      : undefined;

/** The step either side of a number: 1 for a whole number, 0.01 (a penny) otherwise. */
const stepOf = (value: number): number => (Number.isInteger(value) ? 1 : 0.01);

/**
 * Every number of the condition tried just below, at and just above on one sample customer: a number compared with a
 * customer's field moves that field (age 17, 18, 19 against `profile.age >= 18`); any other moves the number itself
 * (a threshold on spending), so a person sees where the snoop starts and stops firing.
 */
export function boundaryProbes(
  definition: SnoopDefinition,
  sample: SampleCustomer,
  options: { on: string; currency?: string },
): BoundaryProbe[] {
  let expr: Expr;
  try {
    expr = parseExpression(definition.when);
  } catch {
    return [];
  }
  return numbersIn(expr).map(({ literal, other }) => {
    const value = literal.value as number;
    const step = stepOf(value);
    const field = dottedPath(other);
    const tries = (
      [
        ['just below', Number((value - step).toFixed(2))],
        ['at', value],
        ['just above', Number((value + step).toFixed(2))],
      ] as const
    ).map(([label, tried]) => {
      const fired =
        field && CUSTOMER_FIELDS.has(field)
          ? firesOn(definition, withField(sample.facts, field, tried), options)
          : firesOn(
              {
                ...definition,
                when: `${definition.when.slice(0, literal.span.start)}${printNumber(tried)}${definition.when.slice(literal.span.end)}`,
              },
              sample.facts,
              options,
            );
      return { label, value: tried, fired };
    });
    return {
      from: literal.span.start,
      to: literal.span.end,
      value,
      varies: field && CUSTOMER_FIELDS.has(field) ? { field } : 'threshold',
      tries,
    };
  });
}

/** A number as the language writes it: always with a decimal point (the DSL's numbers are doubles). */
const printNumber = (value: number): string => (Number.isInteger(value) ? `${value}.0` : String(value));

function withField(facts: CustomerFacts, path: string, value: number): CustomerFacts {
  const [group, field] = path.split('.') as [keyof CustomerFacts, string];
  return { ...facts, [group]: { ...(facts[group] as object), [field]: value } };
}

function firesOn(
  definition: SnoopDefinition,
  facts: CustomerFacts,
  options: { on: string; currency?: string },
): boolean {
  const [outcome] = runSamples(definition, [{ name: 'probe', facts }], options);
  return outcome !== undefined && 'fired' in outcome && outcome.fired;
}
