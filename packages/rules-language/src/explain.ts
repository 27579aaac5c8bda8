/**
 * Explanations a person can read of why a snoop fired for a customer, or why not: "spent 312.40 GBP on eating-out in
 * the last 30 days, more than 200". Compiled once per rule with the rule set's own compiler, so every aggregate an
 * explanation quotes is the slot the condition already computed: explaining costs a few property reads and a string,
 * never another pass over the transactions.
 */
import { conjuncts, type Expr } from './ast';
import type { Compiled, Compiler } from './compiler';
import { printExpression } from './printer';

/** Explains a condition evaluated on these facts, given whether it held (the caller has just found out). */
export type Explainer = (
  facts: Readonly<Record<string, unknown>>,
  env: unknown[],
  slots: unknown[],
  holds: boolean,
) => string;

export interface ExplainOptions {
  /** The currency amounts are in, printed after each one ("GBP"). */
  currency: string;
}

/** How each customer field reads in a sentence, and whether it is money. */
const FIELDS: Readonly<Record<string, { label: string; money?: true; yes?: string; no?: string }>> = {
  'profile.age': { label: 'age' },
  'profile.tenureMonths': { label: 'months as a customer' },
  'profile.creditScore': { label: 'credit score' },
  'profile.region': { label: 'region' },
  'profile.employmentStatus': { label: 'employment status' },
  'profile.isHomeowner': { label: 'homeowner', yes: 'is a homeowner', no: 'is not a homeowner' },
  'profile.hasOverdraft': { label: 'overdraft', yes: 'has an overdraft', no: 'has no overdraft' },
  'balances.current': { label: 'current balance', money: true },
  'balances.savings': { label: 'savings', money: true },
  'balances.overdraftLimit': { label: 'overdraft limit', money: true },
  'balances.overdraftUsed': { label: 'overdraft used', money: true },
  'balances.creditCardDebt': { label: 'credit card debt', money: true },
  'salary.monthlyNet': { label: 'monthly net salary', money: true },
  'salary.paydayOfMonth': { label: 'payday (day of the month)' },
  'salary.daysUntilPayday': { label: 'days until payday' },
};

/** What a comparison that holds, and one that does not, reads as. */
const PHRASES: Readonly<Record<string, readonly [holds: string, fails: string]>> = {
  '>': ['more than', 'not more than'],
  '>=': ['at least', 'less than'],
  '<': ['less than', 'not less than'],
  '<=': ['at most', 'more than'],
  '==': ['equal to', 'not equal to'],
  '!=': ['not equal to', 'equal to'],
};
/** The same comparison read from the other side: `200 < x` says what `x > 200` says. */
const MIRRORED: Readonly<Record<string, string>> = {
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
  '==': '==',
  '!=': '!=',
};

const plain = (value: unknown): string => {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(2)));
  if (typeof value === 'string') return value;
  return String(value);
};

/** "a", "a or b", "a, b or c". */
const either = (values: readonly string[]): string =>
  values.length <= 1 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

const dotted = (expr: Expr): string | undefined => {
  if (expr.kind === 'ident') return expr.name;
  if (expr.kind === 'member') {
    const object = dotted(expr.object);
    return object === undefined ? undefined : `${object}.${expr.property}`;
  }
  return undefined;
};

const stringList = (expr: Expr): string[] | undefined =>
  expr.kind === 'list' && expr.elements.every((e) => e.kind === 'literal' && typeof e.value === 'string')
    ? expr.elements.map((e) => String((e as { value: string }).value))
    : expr.kind === 'literal' && typeof expr.value === 'string'
      ? [expr.value]
      : undefined;

interface TransactionScope {
  days?: number;
  direction?: 'in' | 'out';
  categories?: string[];
  merchants?: string[];
  merchantContains?: string;
  /** A bound on the amount, and whether the bound itself is in (`>=`, `<=`) or not (`>`, `<`). */
  minAmount?: AmountBound;
  maxAmount?: AmountBound;
}

interface AmountBound {
  value: number;
  inclusive: boolean;
}

/** A filter's terms as words, or undefined when one of them is not a shape the editor builds. */
function scopeOf(predicate: Expr | undefined, variable: string): TransactionScope | undefined {
  const scope: TransactionScope = {};
  for (const term of predicate ? conjuncts(predicate) : []) {
    if (
      term.kind === 'call' &&
      term.name === 'contains' &&
      term.target &&
      dotted(term.target) === `${variable}.merchant`
    ) {
      const text = term.args[0];
      if (text?.kind !== 'literal' || typeof text.value !== 'string') return undefined;
      scope.merchantContains = text.value;
      continue;
    }
    if (term.kind !== 'binary') return undefined;
    const field = dotted(term.left)?.slice(variable.length + 1);
    if (!dotted(term.left)?.startsWith(`${variable}.`)) return undefined;
    const value = term.right.kind === 'literal' ? term.right.value : undefined;
    if (field === 'daysAgo' && term.op === '<=' && typeof value === 'number') scope.days = value;
    else if (field === 'direction' && term.op === '==' && (value === 'in' || value === 'out')) scope.direction = value;
    else if ((field === 'category' || field === 'merchant') && (term.op === '==' || term.op === 'in')) {
      const values = stringList(term.right);
      if (!values) return undefined;
      if (field === 'category') scope.categories = values;
      else scope.merchants = values;
    } else if (field === 'amount' && typeof value === 'number' && (term.op === '>=' || term.op === '>'))
      scope.minAmount = { value, inclusive: term.op === '>=' };
    else if (field === 'amount' && typeof value === 'number' && (term.op === '<=' || term.op === '<'))
      scope.maxAmount = { value, inclusive: term.op === '<=' };
    else return undefined;
  }
  return scope;
}

function scopeWords(scope: TransactionScope, money: (n: number) => string): string {
  const words: string[] = [];
  if (scope.categories) words.push(`on ${either(scope.categories)}`);
  if (scope.merchants) words.push(`at ${either(scope.merchants)}`);
  if (scope.merchantContains) words.push(`at merchants named like "${scope.merchantContains}"`);
  const { minAmount: min, maxAmount: max } = scope;
  if (min) words.push(`of ${min.inclusive ? 'at least' : 'more than'} ${money(min.value)}`);
  if (max) words.push(`of ${max.inclusive ? 'at most' : 'less than'} ${money(max.value)}`);
  if (scope.days !== undefined) words.push(`in the last ${plain(scope.days)} days`);
  return words.length > 0 ? ` ${words.join(' ')}` : '';
}

/** The customer's transactions, or a filter of them: its variable and predicate. */
function transactionsOf(list: Expr | undefined): { variable: string; predicate?: Expr } | undefined {
  if (list?.kind === 'ident' && list.name === 'transactions') return { variable: 't' };
  if (
    list?.kind === 'call' &&
    list.name === 'filter' &&
    list.target?.kind === 'ident' &&
    list.target.name === 'transactions' &&
    list.args[0]?.kind === 'ident' &&
    list.args[1]
  )
    return { variable: list.args[0].name, predicate: list.args[1] };
  return undefined;
}

/** How a value reads: a sentence around its formatted value, and whether it is money. */
interface Described {
  sentence: (value: string) => string;
  money: boolean;
}

/** Words for an operand the editor builds (a field, an aggregate over transactions); undefined for anything else. */
function describe(expr: Expr, money: (n: number) => string): Described | undefined {
  const path = dotted(expr);
  const field = path === undefined ? undefined : FIELDS[path];
  if (field) return { sentence: (v) => `${field.label} ${v}`, money: field.money === true };
  if (expr.kind !== 'call') return undefined;
  const list = expr.target ?? (expr.args.length === 1 ? expr.args[0] : undefined);
  if (expr.name === 'size') {
    const source = transactionsOf(list);
    const scope = source && scopeOf(source.predicate, source.variable);
    if (!scope) return undefined;
    const what = scope.direction === 'out' ? 'payments' : scope.direction === 'in' ? 'payments in' : 'transactions';
    return { sentence: (v) => `${v} ${what}${scopeWords(scope, money)}`, money: false };
  }
  if (!['sum', 'avg', 'max', 'min'].includes(expr.name) || list?.kind !== 'call' || list.name !== 'map')
    return undefined;
  const [variable, value] = list.args;
  if (variable?.kind !== 'ident' || !value || dotted(value) !== `${variable.name}.amount`) return undefined;
  const source = transactionsOf(list.target);
  const scope = source && scopeOf(source.predicate, source.variable);
  if (!scope) return undefined;
  const where = scopeWords(scope, money);
  const payment = scope.direction === 'in' ? 'payment in' : scope.direction === 'out' ? 'payment' : 'transaction';
  switch (expr.name) {
    case 'sum':
      return {
        sentence:
          scope.direction === 'out'
            ? (v) => `spent ${v}${where}`
            : scope.direction === 'in'
              ? (v) => `received ${v}${where}`
              : (v) => `transactions totalling ${v}${where}`,
        money: true,
      };
    case 'avg':
      return { sentence: (v) => `average ${payment} ${v}${where}`, money: true };
    case 'max':
      return { sentence: (v) => `largest ${payment} ${v}${where}`, money: true };
    default:
      return { sentence: (v) => `smallest ${payment} ${v}${where}`, money: true };
  }
}

/**
 * Compiles the explainer of a rule's condition. An explanation is about the customer it is given, holding or not:
 * for one that qualified, every part that had to hold (and the first alternative that did); for one that did not,
 * the first part that failed.
 */
export function compileExplainer(when: Expr, compiler: Compiler, options: ExplainOptions): Explainer {
  const money = (n: number): string => `${n.toFixed(2)} ${options.currency}`;
  const part = (expr: Expr): { test: Compiled; explain: Explainer } => {
    const test = compiler.compile(expr);
    return { test, explain: explainPart(expr) };
  };

  const explainPart = (expr: Expr): Explainer => {
    if (expr.kind === 'binary' && (expr.op === '&&' || expr.op === '||')) {
      const parts = (expr.op === '&&' ? conjuncts(expr) : disjuncts(expr)).map(part);
      // An "and" that holds, or an "or" that fails: every part says the same; otherwise the one part that decided.
      const decidedByAll = expr.op === '&&';
      return (f, e, s, holds) => {
        if (holds === decidedByAll) return parts.map((p) => p.explain(f, e, s, holds)).join('; ');
        const decisive = parts.find((p) => (p.test(f, e, s) === true) === holds) ?? parts[0]!;
        return decisive.explain(f, e, s, holds);
      };
    }
    if (expr.kind === 'unary' && expr.op === '!') {
      const inner = explainPart(expr.operand);
      return (f, e, s, holds) => inner(f, e, s, !holds);
    }
    const path = dotted(expr);
    const field = path === undefined ? undefined : FIELDS[path];
    if (field?.yes && field.no) {
      const { yes, no } = field;
      return (_f, _e, _s, holds) => (holds ? yes : no);
    }
    if (expr.kind === 'binary' && expr.op === 'in') {
      const subject = describe(expr.left, money);
      const values = stringList(expr.right);
      const left = compiler.compile(expr.left);
      if (subject && values)
        return (f, e, s, holds) =>
          `${subject.sentence(plain(left(f, e, s)))}, ${holds ? '' : 'not '}one of ${either(values)}`;
    }
    if (expr.kind === 'binary' && PHRASES[expr.op]) {
      // The side that is not a constant is the subject: `200 < sum(...)` reads as "spent ..., more than 200".
      const flipped = expr.left.kind === 'literal' && expr.right.kind !== 'literal';
      const [subjectExpr, otherExpr, op] = flipped
        ? [expr.right, expr.left, MIRRORED[expr.op]!]
        : [expr.left, expr.right, expr.op];
      const subject = describe(subjectExpr, money);
      const subjectValue = compiler.compile(subjectExpr);
      const otherValue = compiler.compile(otherExpr);
      const [holdsPhrase, failsPhrase] = PHRASES[op]!;
      const otherDescribed = otherExpr.kind === 'literal' ? undefined : describe(otherExpr, money);
      const subjectText = printExpression(subjectExpr);
      const otherText = printExpression(otherExpr);
      const format = (value: unknown, asMoney: boolean): string =>
        asMoney && typeof value === 'number' ? money(value) : plain(value);
      return (f, e, s, holds) => {
        const value = subjectValue(f, e, s);
        const other = otherValue(f, e, s);
        const said = subject ? subject.sentence(format(value, subject.money)) : `${subjectText} is ${plain(value)}`;
        const against =
          otherExpr.kind === 'literal'
            ? plain(other)
            : otherDescribed
              ? `${otherDescribed.sentence(format(other, otherDescribed.money))}`
              : `${otherText} (${plain(other)})`;
        return `${said}, ${holds ? holdsPhrase : failsPhrase} ${against}`;
      };
    }
    if (expr.kind === 'call' && expr.name === 'exists') {
      const source = transactionsOf(expr.target);
      const variable = expr.args[0]?.kind === 'ident' ? expr.args[0].name : 't';
      const scope = source && scopeOf(expr.args[1], variable);
      if (scope) {
        const words = scopeWords(scope, money);
        const what = scope.direction === 'in' ? 'payment in' : scope.direction === 'out' ? 'payment' : 'transaction';
        return (_f, _e, _s, holds) => (holds ? `a ${what}${words}` : `no ${what}${words}`);
      }
    }
    const text = printExpression(expr);
    return (_f, _e, _s, holds) => `"${text}" ${holds ? 'holds' : 'does not hold'}`;
  };

  return explainPart(when);
}

const disjuncts = (expr: Expr): Expr[] =>
  expr.kind === 'binary' && expr.op === '||' ? [...disjuncts(expr.left), ...disjuncts(expr.right)] : [expr];
