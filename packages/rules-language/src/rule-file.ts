import { countNodes, type Expr, type Span } from './ast';
import { checkExpression } from './checker';
import { AggregatePlan, Compiler, fold } from './compiler';
import { CUSTOMER_VARIABLES, type CustomerFacts } from './customer-schema';
import { compileExplainer, type ExplainOptions } from './explain';
import { LexError, MAX_STRING_LITERAL, tokenize } from './lexer';
import { ParseError, parseExpressionAt, TokenStream } from './parser';
import { printExpression, printString } from './printer';
import { typeName } from './types';

export const SNOOP_STATUSES = ['draft', 'active', 'retired'] as const;
export type SnoopStatus = (typeof SNOOP_STATUSES)[number];

/** A snoop as business users define it; `when` and `score` are CEL expressions over the customer. */
export interface SnoopDefinition {
  id: string;
  name: string;
  status: SnoopStatus;
  audience: string;
  contentRef: string;
  validFrom: string;
  validTo?: string;
  version: number;
  when: string;
  score: string;
}

export const LIMITS = {
  /** Characters in one file (2,000 snoops of 2,000 characters each), refused before any parsing. */
  fileCharacters: 4_000_000,
  /** Characters in one string literal. */
  stringLiteral: MAX_STRING_LITERAL,
  /** Rules in one file. */
  rules: 2_000,
  /** Nodes in one expression (operators, names, literals). */
  expressionNodes: 400,
  /**
   * Errors reported for one file: past these, reading stops with one more saying so (200,000 stray braces are not
   * 200,000 errors a person reads, and each costs a recovery).
   */
  errors: 100,
} as const;

export interface RuleError {
  snoopId?: string;
  line: number;
  column: number;
  message: string;
  /** The offending line with a caret under the problem. */
  excerpt: string;
}

export function formatRuleError(error: RuleError): string {
  return `${error.snoopId ? `snoop "${error.snoopId}" ` : ''}line ${error.line}:${error.column}: ${error.message}\n${error.excerpt}`;
}

/** Characters shown either side of a problem in an excerpt. */
const EXCERPT_CONTEXT = 60;

/**
 * Turns spans into line:column and an excerpt. The line starts are found once per text, so a
 * file with a hundred thousand errors is reported in linear time, not by rescanning it per error.
 */
function locator(source: string): (span: Span) => { line: number; column: number; excerpt: string } {
  let lineStarts: number[] | undefined;
  return (span) => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    // The last line start at or before span.start.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= span.start) low = middle;
      else high = middle - 1;
    }
    const line = low + 1;
    const lineStart = lineStarts[low]!;
    const lineEnd = low + 1 < lineStarts.length ? lineStarts[low + 1]! - 1 : source.length;
    const column = span.start - lineStart + 1;
    // A long line is shown as a window around the problem, so no excerpt grows with the file.
    const from = Math.max(lineStart, span.start - EXCERPT_CONTEXT);
    const to = Math.min(lineEnd, Math.max(span.end, span.start + 1) + EXCERPT_CONTEXT);
    const text = `${from > lineStart ? '…' : ''}${source.slice(from, to)}${to < lineEnd ? '…' : ''}`;
    const caretAt = span.start - from + (from > lineStart ? 1 : 0);
    const width = Math.max(1, Math.min(span.end, to) - span.start);
    const gutter = `${line} | `;
    return { line, column, excerpt: `${gutter}${text}\n${' '.repeat(gutter.length + caretAt)}${'^'.repeat(width)}` };
  };
}

interface ParsedSnoop {
  definition: SnoopDefinition;
  when: Expr;
  score: Expr;
  span: Span;
}

const KEYS = ['name', 'status', 'audience', 'content', 'valid_from', 'valid_to', 'version', 'when', 'score'] as const;
type Key = (typeof KEYS)[number];
const REQUIRED: readonly Key[] = ['name', 'status', 'audience', 'content', 'valid_from', 'version', 'when', 'score'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a rules file into snoops, recovering after each broken block so that every error in the file is found. */
export function parseRuleFile(
  source: string,
  locate = locator(source),
): { snoops: ParsedSnoop[]; errors: RuleError[] } {
  const errors: RuleError[] = [];
  const snoops: ParsedSnoop[] = [];
  const report = (span: Span, message: string, snoopId?: string): void => {
    errors.push({ snoopId, message, ...locate(span) });
  };

  if (source.length > LIMITS.fileCharacters) {
    report(
      { start: 0, end: 1 },
      `the file has ${source.length.toLocaleString('en')} characters; at most ` +
        `${LIMITS.fileCharacters.toLocaleString('en')} are allowed: it is checked before it is read`,
    );
    return { snoops, errors };
  }
  let stream: TokenStream;
  try {
    stream = new TokenStream(tokenize(source));
  } catch (error) {
    if (error instanceof LexError) report(error.span, error.message);
    else throw error;
    return { snoops, errors };
  }

  while (stream.peek().kind !== 'eof') {
    if (errors.length >= LIMITS.errors) {
      report(
        stream.peek().span,
        `stopped reading after ${LIMITS.errors} errors: fix these (the first ones often cause the rest) and check again`,
      );
      break;
    }
    const start = stream.peek();
    let snoopId: string | undefined;
    try {
      if (!stream.isIdent('snoop'))
        throw new ParseError(`expected "snoop", found "${String(start.value)}"`, start.span);
      stream.next();
      const idToken = stream.next();
      if (idToken.kind !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(String(idToken.value))) {
        throw new ParseError('a snoop id is a quoted lowercase slug, e.g. snoop "energy-switch" {', idToken.span);
      }
      snoopId = String(idToken.value);
      stream.expectPunct('{', `after snoop "${snoopId}"`);
      const fields = new Map<Key, { value: string | number | Expr; span: Span }>();
      while (!stream.isPunct('}')) {
        const keyToken = stream.expectIdent(`(a field of snoop "${snoopId}": ${KEYS.join(', ')}) or "}"`);
        const key = String(keyToken.value) as Key;
        if (!KEYS.includes(key))
          throw new ParseError(`unknown field "${key}"; fields are ${KEYS.join(', ')}`, keyToken.span);
        if (fields.has(key)) throw new ParseError(`"${key}" is given twice`, keyToken.span);
        stream.expectPunct(':', `after "${key}"`);
        if (key === 'when' || key === 'score') {
          const expr = parseExpressionAt(stream);
          fields.set(key, { value: expr, span: expr.span });
        } else {
          const value = stream.next();
          const wantsNumber = key === 'version';
          if (
            (wantsNumber && value.kind !== 'number') ||
            (!wantsNumber && value.kind !== 'string' && key !== 'status')
          ) {
            throw new ParseError(`"${key}" takes ${wantsNumber ? 'a number' : 'a quoted string'}`, value.span);
          }
          fields.set(key, { value: value.value, span: value.span });
        }
      }
      const end = stream.expectPunct('}', `to close snoop "${snoopId}"`);
      const missing = REQUIRED.filter((k) => !fields.has(k));
      if (missing.length > 0) {
        report(
          { start: start.span.start, end: idToken.span.end },
          `snoop "${snoopId}" is missing ${missing.join(', ')}`,
          snoopId,
        );
        continue;
      }
      const text = (key: Key): string => {
        const value = fields.get(key)!.value;
        return typeof value === 'object' ? printExpression(value) : String(value);
      };
      const status = text('status');
      if (!(SNOOP_STATUSES as readonly string[]).includes(status)) {
        report(fields.get('status')!.span, `status must be one of ${SNOOP_STATUSES.join(', ')}`, snoopId);
        continue;
      }
      for (const key of ['valid_from', 'valid_to'] as const) {
        if (fields.has(key) && !DATE.test(text(key)))
          report(fields.get(key)!.span, `${key} must be a date like "2026-01-31"`, snoopId);
      }
      const version = fields.get('version')!.value as number;
      if (!Number.isInteger(version) || version < 1)
        report(fields.get('version')!.span, 'version must be a whole number from 1', snoopId);
      snoops.push({
        definition: {
          id: snoopId,
          name: text('name'),
          status: status as SnoopStatus,
          audience: text('audience'),
          contentRef: text('content'),
          validFrom: text('valid_from'),
          ...(fields.has('valid_to') ? { validTo: text('valid_to') } : {}),
          version,
          when: printExpression(fields.get('when')!.value as Expr),
          score: printExpression(fields.get('score')!.value as Expr),
        },
        when: fields.get('when')!.value as Expr,
        score: fields.get('score')!.value as Expr,
        span: { start: start.span.start, end: end.span.end },
      });
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      report(error.span, error.message, snoopId);
      // Recover: skip to the token after the next "}" that closes a block, then go on.
      while (stream.peek().kind !== 'eof' && !stream.isPunct('}')) stream.next();
      stream.next();
    }
  }
  return { snoops, errors };
}

/** Prints definitions as a rules file; deterministic, and parseRuleFile(printRuleFile(d)) yields d. */
export function printRuleFile(definitions: readonly SnoopDefinition[], header?: string): string {
  const blocks = [...definitions]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((d) =>
      [
        `snoop ${printString(d.id)} {`,
        `  name: ${printString(d.name)}`,
        `  status: ${d.status}`,
        `  audience: ${printString(d.audience)}`,
        `  content: ${printString(d.contentRef)}`,
        `  valid_from: ${printString(d.validFrom)}`,
        ...(d.validTo ? [`  valid_to: ${printString(d.validTo)}`] : []),
        `  version: ${d.version}`,
        `  when: ${d.when}`,
        `  score: ${d.score}`,
        '}',
      ].join('\n'),
    );
  return `${
    header
      ? `${header
          .split('\n')
          .map((l) => `# ${l}`)
          .join('\n')}\n\n`
      : ''
  }${blocks.join('\n\n')}\n`;
}

export interface SnoopResult {
  id: string;
  score: number;
}

/** One rule asked for by id: its verdict on the customer with the reason in words, or why it was not evaluated. */
export type RuleOutcome =
  | { id: string; qualified: boolean; score: number; explanation: string }
  | { id: string; error: 'unknown-rule' | 'not-active'; reason: string };

export interface CompiledRuleSet {
  readonly snoops: readonly SnoopDefinition[];
  /** Ids of the snoops that are evaluated (status active). */
  readonly activeIds: readonly string[];
  /**
   * How many days of transactions the rules can see (the longest `t.daysAgo <= N` of any aggregate); undefined when
   * one reads transactions without such a window. A reader need fetch no older transactions.
   */
  readonly transactionWindowDays: number | undefined;
  /** Distinct aggregates over transactions, computed once per customer for all rules. */
  readonly aggregateCount: number;
  /**
   * The active snoops whose condition holds for this customer, with their score clamped to [0, 1].
   * With `on` (a day, "2026-11-22"), only snoops whose validity window includes that day.
   */
  evaluate(customer: CustomerFacts, options?: { on?: string }): SnoopResult[];
  /**
   * The rules asked for, in the order asked, each with its verdict (qualified or not), its score (0 when not) and an
   * explanation a person can read: what fired, or what did not hold. A rule outside its validity window on `on` is
   * not qualified, and says so; an id the file does not have, or a draft or retired snoop, is an error for that id
   * alone.
   */
  evaluateRules(customer: CustomerFacts, ruleIds: readonly string[], options?: { on?: string }): RuleOutcome[];
}

export type CompileOptions = Partial<ExplainOptions>;

export type CompileOutcome = { ok: true; ruleSet: CompiledRuleSet } | { ok: false; errors: RuleError[] };

/**
 * Parses, checks and compiles a whole rules file. Either every snoop is valid and
 * the result evaluates customers, or nothing compiles and every error is reported.
 */
export function compileRuleFile(source: string, options: CompileOptions = {}): CompileOutcome {
  const locate = locator(source);
  const { snoops, errors } = parseRuleFile(source, locate);
  const report = (snoop: ParsedSnoop, span: Span, message: string): void => {
    errors.push({ snoopId: snoop.definition.id, message, ...locate(span) });
  };
  if (snoops.length > LIMITS.rules) {
    errors.push({
      message: `the file has ${snoops.length} snoops; at most ${LIMITS.rules} are allowed`,
      ...locate({ start: 0, end: 1 }),
    });
  }
  const seen = new Set<string>();
  for (const snoop of snoops) {
    if (seen.has(snoop.definition.id)) report(snoop, snoop.span, `snoop id "${snoop.definition.id}" is used twice`);
    seen.add(snoop.definition.id);
    for (const [role, expr, wanted] of [
      ['condition (when)', snoop.when, 'bool'],
      ['score', snoop.score, 'double'],
    ] as const) {
      const nodes = countNodes(expr);
      if (nodes > LIMITS.expressionNodes) {
        report(
          snoop,
          expr.span,
          `the ${role} has ${nodes} parts; at most ${LIMITS.expressionNodes} are allowed: split the snoop`,
        );
        continue;
      }
      const checked = checkExpression(expr, CUSTOMER_VARIABLES);
      for (const issue of checked.issues) report(snoop, issue.span, issue.message);
      if (checked.issues.length > 0) continue;
      if (checked.type.kind !== wanted) {
        report(
          snoop,
          expr.span,
          `the ${role} must be a ${wanted === 'bool' ? 'true/false condition' : 'number'}, but this is a ${typeName(checked.type)}`,
        );
        continue;
      }
      // Folding evaluates constants, so only a well-typed score is folded (`1.0 in 2.0` is reported above).
      if (role !== 'score') continue;
      const score = fold(expr);
      if (score.kind === 'literal' && typeof score.value === 'number' && !(score.value >= 0 && score.value <= 1)) {
        report(snoop, expr.span, `the score is ${score.value}; a score must be between 0 and 1`);
      }
    }
  }
  if (errors.length > 0) {
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }

  const plan = new AggregatePlan();
  const compiler = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES)));
  // Drafts and retired snoops may sit in a file (a hand-written one); they are checked, never evaluated.
  const rules = snoops
    .filter((s) => s.definition.status === 'active')
    .map((s) => ({
      id: s.definition.id,
      validFrom: s.definition.validFrom,
      validTo: s.definition.validTo ?? '9999-12-31',
      when: compiler.compile(s.when),
      score: compiler.compile(s.score),
      explain: compileExplainer(s.when, compiler, { currency: options.currency ?? 'GBP' }),
    }));
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const statusOf = new Map(snoops.map((s) => [s.definition.id, s.definition.status]));
  const checkDay = (on: string | undefined): void => {
    if (on !== undefined && !DATE.test(on)) throw new TypeError(`"on" must be a day like "2026-01-31", not "${on}"`);
  };
  const clamp = (raw: number): number => (raw >= 1 ? 1 : raw > 0 ? raw : 0);
  return {
    ok: true,
    ruleSet: {
      snoops: snoops.map((s) => s.definition),
      activeIds: rules.map((rule) => rule.id),
      transactionWindowDays: Number.isFinite(plan.longestWindowDays) ? plan.longestWindowDays : undefined,
      aggregateCount: plan.size,
      evaluateRules(customer, ruleIds, options) {
        const on = options?.on;
        checkDay(on);
        const facts = customer as unknown as Readonly<Record<string, unknown>>;
        const slots = plan.computeAll(facts);
        const env: unknown[] = [];
        return ruleIds.map((id): RuleOutcome => {
          const rule = byId.get(id);
          if (!rule) {
            const status = statusOf.get(id);
            return status
              ? {
                  id,
                  error: 'not-active',
                  reason: `snoop "${id}" is ${status} in this rule set; only active ones are evaluated`,
                }
              : { id, error: 'unknown-rule', reason: `no snoop "${id}" in this rule set` };
          }
          if (on !== undefined && (on < rule.validFrom || on > rule.validTo)) {
            const until = rule.validTo === '9999-12-31' ? '' : ` to ${rule.validTo}`;
            return {
              id,
              qualified: false,
              score: 0,
              explanation: `not in force on ${on} (valid from ${rule.validFrom}${until})`,
            };
          }
          const qualified = rule.when(facts, env, slots) === true;
          return {
            id,
            qualified,
            score: qualified ? clamp(rule.score(facts, env, slots) as number) : 0,
            explanation: rule.explain(facts, env, slots, qualified),
          };
        });
      },
      evaluate(customer, options) {
        const on = options?.on;
        checkDay(on);
        const facts = customer as unknown as Readonly<Record<string, unknown>>;
        const slots = plan.computeAll(facts);
        const env: unknown[] = [];
        const results: SnoopResult[] = [];
        for (const rule of rules) {
          // ISO days compare as text.
          if (on !== undefined && (on < rule.validFrom || on > rule.validTo)) continue;
          if (rule.when(facts, env, slots) !== true) continue;
          // A computed score outside [0, 1] (or NaN from 0/0) is clamped: a rule never fails a customer.
          results.push({ id: rule.id, score: clamp(rule.score(facts, env, slots) as number) });
        }
        return results;
      },
    },
  };
}
