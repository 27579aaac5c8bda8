/// <reference lib="dom" />
/**
 * The condition builder: a snoop's condition as rows a person fills in (a field, an operator that fits its type, a
 * value checked as typed), groups of "all of" / "any of", "not", and "any transaction where ...". It edits the stored
 * form itself (the Condition tree), so builder and text view read and write the same definition: text -> builder ->
 * text gives the text back. Every stored shape has a row, so every snoop opens here.
 */
import { FIELD_GUIDE, type Condition, type Operand, type TransactionFilter } from '@backbone/rules-language';

type FieldPath = Extract<Operand, { field: string }>['field'];
type Comparison = Extract<Condition, { compare: unknown }>['compare'][1];

const COMPARISONS: { op: Comparison; words: string }[] = [
  { op: '>', words: 'more than' },
  { op: '>=', words: 'at least' },
  { op: '<', words: 'less than' },
  { op: '<=', words: 'at most' },
  { op: '==', words: 'equal to' },
  { op: '!=', words: 'not equal to' },
];
const TEXT_COMPARISONS = COMPARISONS.filter((c) => c.op === '==' || c.op === '!=');
const AGGREGATES = [
  { value: 'sum', words: 'total of' },
  { value: 'avg', words: 'average of' },
  { value: 'max', words: 'largest of' },
  { value: 'min', words: 'smallest of' },
  { value: 'count', words: 'number of' },
] as const;
const fieldsOfType = (type: 'number' | 'text' | 'yes/no') => FIELD_GUIDE.filter((f) => f.type === type);

/** Makes an element with attributes, text and children. */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function select(
  label: string,
  options: { value: string; words: string }[],
  chosen: string,
  onChange: (value: string) => void,
) {
  const control = el('select', { 'aria-label': label });
  for (const option of options) control.append(el('option', { value: option.value }, option.words));
  control.value = chosen;
  control.addEventListener('change', () => onChange(control.value));
  return control;
}

/** A number box: the value is taken only when it is a finite number; otherwise the box says so. */
function numberInput(label: string, value: number | undefined, onChange: (value: number | undefined) => void) {
  const input = el('input', {
    type: 'text',
    inputmode: 'decimal',
    'aria-label': label,
    size: '8',
    value: value === undefined ? '' : String(value),
  });
  input.addEventListener('input', () => {
    const text = input.value.trim();
    const parsed = Number(text);
    const ok = text === '' || Number.isFinite(parsed);
    input.setAttribute('aria-invalid', String(!ok));
    input.title = ok ? '' : 'a number, such as 200 or 12.5';
    if (ok) onChange(text === '' ? undefined : parsed);
  });
  return input;
}

function textInput(label: string, value: string, onChange: (value: string) => void) {
  const input = el('input', { type: 'text', 'aria-label': label, value });
  input.addEventListener('input', () => {
    input.setAttribute('aria-invalid', String(input.value.trim() === ''));
    if (input.value.trim() !== '') onChange(input.value);
  });
  return input;
}

const listText = (values: readonly string[] | undefined) => (values ?? []).join(', ');
const listOf = (text: string): string[] | undefined => {
  const values = text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length > 0 ? values : undefined;
};

/** Comma-separated names; empty means any. */
function listInput(
  label: string,
  values: readonly string[] | undefined,
  onChange: (values: string[] | undefined) => void,
) {
  const input = el('input', { type: 'text', 'aria-label': label, value: listText(values), placeholder: 'any' });
  input.addEventListener('input', () => onChange(listOf(input.value)));
  return input;
}

/** Which kind of value an operand is, for the operand's own select. */
const operandKind = (operand: Operand): string =>
  (['field', 'value', 'aggregate', 'arithmetic', 'least', 'greatest'] as const)
    .filter((key) => key in operand)
    .map((key) => (key === 'arithmetic' ? 'calculation' : key))[0] ?? 'unknown';

const OPERAND_KINDS = [
  { value: 'field', words: 'the customer’s' },
  { value: 'value', words: 'the value' },
  { value: 'aggregate', words: 'transactions:' },
  { value: 'calculation', words: 'a calculation' },
  { value: 'least', words: 'the smaller of' },
  { value: 'greatest', words: 'the larger of' },
];

function newOperand(kind: string): Operand {
  switch (kind) {
    case 'field':
      return { field: 'balances.current' };
    case 'value':
      return { value: 0 };
    case 'aggregate':
      return { aggregate: 'sum', where: { withinDays: 30, direction: 'out' } };
    case 'calculation':
      return { arithmetic: '*', left: { field: 'salary.monthlyNet' }, right: { value: 0.5 } };
    case 'least':
      return { least: [{ field: 'balances.savings' }, { value: 100 }] };
    default:
      return { greatest: [{ field: 'balances.savings' }, { value: 100 }] };
  }
}

/** The transaction filter's parts: period, direction, categories, merchants, merchant name, amounts. */
function filterEditor(filter: TransactionFilter, changed: (filter: TransactionFilter) => void): HTMLElement {
  const set = <K extends keyof TransactionFilter>(key: K, value: TransactionFilter[K] | undefined) => {
    const next = { ...filter };
    if (value === undefined) delete next[key];
    else next[key] = value;
    changed(next);
  };
  return el(
    'span',
    { class: 'filter' },
    'in the last ',
    numberInput('days', filter.withinDays, (v) => set('withinDays', v === undefined ? undefined : Math.round(v))),
    ' days, ',
    select(
      'direction',
      [
        { value: '', words: 'in or out' },
        { value: 'out', words: 'payments out' },
        { value: 'in', words: 'money in' },
      ],
      filter.direction ?? '',
      (v) => set('direction', v === '' ? undefined : (v as 'in' | 'out')),
    ),
    ', categories ',
    listInput('categories', filter.categories, (v) => set('categories', v)),
    ', merchants ',
    listInput('merchants', filter.merchants, (v) => set('merchants', v)),
    ', amount from ',
    numberInput('smallest amount', filter.minAmount, (v) => set('minAmount', v)),
    ' to ',
    numberInput('largest amount', filter.maxAmount, (v) => set('maxAmount', v)),
  );
}

function operandEditor(operand: Operand, changed: (operand: Operand) => void, numeric: boolean): HTMLElement {
  const kindSelect = select('kind of value', OPERAND_KINDS, operandKind(operand), (kind) => changed(newOperand(kind)));
  const box = el('span', { class: 'operand' }, kindSelect);
  if ('field' in operand) {
    const fields = [...fieldsOfType('number'), ...(numeric ? [] : fieldsOfType('text'))];
    box.append(
      select(
        'field',
        fields.map((f) => ({ value: f.path, words: `${f.path} (${f.description})` })),
        operand.field,
        (v) => changed({ field: v as FieldPath }),
      ),
    );
  } else if ('value' in operand) {
    box.append(
      typeof operand.value === 'number'
        ? numberInput('value', operand.value, (v) => v !== undefined && changed({ value: v }))
        : textInput('value', operand.value, (v) => changed({ value: v })),
    );
  } else if ('aggregate' in operand) {
    box.append(
      select(
        'aggregate',
        AGGREGATES.map((a) => ({ value: a.value, words: a.words })),
        operand.aggregate,
        (v) => changed({ ...operand, aggregate: v as typeof operand.aggregate }),
      ),
      ' transactions ',
      filterEditor(operand.where ?? {}, (where) => {
        const next: Operand = { aggregate: operand.aggregate };
        changed(Object.keys(where).length > 0 ? { ...next, where } : next);
      }),
    );
  } else if ('arithmetic' in operand) {
    box.append(
      '(',
      operandEditor(operand.left, (left) => changed({ ...operand, left }), true),
      select(
        'calculation',
        ['+', '-', '*', '/'].map((v) => ({ value: v, words: v === '*' ? '×' : v === '/' ? '÷' : v })),
        operand.arithmetic,
        (v) => changed({ ...operand, arithmetic: v as '+' }),
      ),
      operandEditor(operand.right, (right) => changed({ ...operand, right }), true),
      ')',
    );
  } else {
    const key = 'least' in operand ? 'least' : 'greatest';
    const [a, b] = 'least' in operand ? operand.least : operand.greatest;
    box.append(
      operandEditor(a, (first) => changed({ [key]: [first, b] } as Operand), true),
      ' and ',
      operandEditor(b, (second) => changed({ [key]: [a, second] } as Operand), true),
    );
  }
  return box;
}

const CONDITION_KINDS = [
  { value: 'compare', words: 'compare' },
  { value: 'is', words: 'yes/no field' },
  { value: 'oneOf', words: 'one of' },
  { value: 'anyTransaction', words: 'any transaction' },
  { value: 'all', words: 'all of' },
  { value: 'any', words: 'any of' },
  { value: 'not', words: 'not' },
];

const conditionKind = (condition: Condition): string => Object.keys(condition)[0]!;

function newCondition(kind: string, from?: Condition): Condition {
  const simple: Condition = { compare: [{ field: 'balances.savings' }, '<', { value: 100 }] };
  switch (kind) {
    case 'is':
      return { is: 'profile.isHomeowner' };
    case 'oneOf':
      return { oneOf: { field: 'profile.region', values: ['London'] } };
    case 'anyTransaction':
      return { anyTransaction: { withinDays: 7 } };
    case 'all':
    case 'any':
      // Turning a row into a group keeps it as the group's first part.
      return { [kind]: [from ?? simple, simple] } as Condition;
    case 'not':
      return { not: from ?? simple };
    default:
      return simple;
  }
}

/** One condition as a row (or a group of rows), calling `changed` with the new tree on every edit. */
export function conditionEditor(
  condition: Condition,
  changed: (condition: Condition) => void,
  remove?: () => void,
): HTMLElement {
  const row = el('div', { class: 'condition', role: 'group' });
  row.append(
    select('kind of condition', CONDITION_KINDS, conditionKind(condition), (kind) =>
      changed(newCondition(kind, condition)),
    ),
  );
  if ('compare' in condition) {
    const [left, op, right] = condition.compare;
    const textual =
      ('field' in left && fieldsOfType('text').some((f) => f.path === left.field)) ||
      ('value' in right && typeof right.value === 'string');
    row.append(
      operandEditor(left, (l) => changed({ compare: [l, op, right] }), false),
      select(
        'operator',
        (textual ? TEXT_COMPARISONS : COMPARISONS).map((c) => ({ value: c.op, words: c.words })),
        op,
        (o) => changed({ compare: [left, o as Comparison, right] }),
      ),
      operandEditor(right, (r) => changed({ compare: [left, op, r] }), false),
    );
  } else if ('is' in condition) {
    row.append(
      select(
        'field',
        fieldsOfType('yes/no').map((f) => ({ value: f.path, words: f.description })),
        condition.is,
        (v) => changed({ is: v as FieldPath }),
      ),
    );
  } else if ('oneOf' in condition) {
    row.append(
      select(
        'field',
        fieldsOfType('text').map((f) => ({ value: f.path, words: f.path })),
        condition.oneOf.field,
        (v) => changed({ oneOf: { ...condition.oneOf, field: v as FieldPath } }),
      ),
      ' is one of ',
      listInput('values', condition.oneOf.values, (values) => {
        if (values) changed({ oneOf: { ...condition.oneOf, values } });
      }),
    );
  } else if ('anyTransaction' in condition) {
    row.append(
      ' where ',
      filterEditor(condition.anyTransaction, (f) => changed({ anyTransaction: f })),
    );
  } else if ('not' in condition) {
    row.append(conditionEditor(condition.not, (inner) => changed({ not: inner })));
  } else {
    const key = 'all' in condition ? 'all' : 'any';
    const parts = 'all' in condition ? condition.all : condition.any;
    const list = el('div', { class: 'parts' });
    parts.forEach((part, i) =>
      list.append(
        conditionEditor(
          part,
          (next) => changed({ [key]: parts.map((p, j) => (j === i ? next : p)) } as Condition),
          // A group keeps two parts at least: removing one of two leaves the other in its place.
          () => changed(parts.length > 2 ? ({ [key]: parts.filter((_, j) => j !== i) } as Condition) : parts[1 - i]!),
        ),
      ),
    );
    const add = el('button', { type: 'button' }, '+ condition');
    add.addEventListener('click', () => changed({ [key]: [...parts, newCondition('compare')] } as Condition));
    row.append(list, add);
  }
  if (remove) {
    const drop = el('button', { type: 'button', 'aria-label': 'remove this condition' }, '×');
    drop.addEventListener('click', remove);
    row.append(drop);
  }
  return row;
}

/**
 * Whether the builder has a row for every part of a condition: each kind of condition and of value it holds (every
 * stored shape today; a shape added to the language later shows here as false until the builder learns it).
 */
export function builderShows(condition: Condition): boolean {
  const operandShown = (operand: Operand): boolean => {
    if (!OPERAND_KINDS.some((k) => k.value === operandKind(operand))) return false;
    if ('arithmetic' in operand) return operandShown(operand.left) && operandShown(operand.right);
    if ('least' in operand) return operand.least.every(operandShown);
    if ('greatest' in operand) return operand.greatest.every(operandShown);
    return true;
  };
  if (!CONDITION_KINDS.some((k) => k.value === conditionKind(condition))) return false;
  if ('all' in condition) return condition.all.every(builderShows);
  if ('any' in condition) return condition.any.every(builderShows);
  if ('not' in condition) return builderShows(condition.not);
  if ('compare' in condition) return operandShown(condition.compare[0]) && operandShown(condition.compare[2]);
  return true;
}
