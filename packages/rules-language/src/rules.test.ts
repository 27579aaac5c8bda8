import { checkExpression } from './checker';
import { AggregatePlan, Compiler, fold } from './compiler';
import { CUSTOMER_VARIABLES } from './customer-schema';
import { interpret } from './interpreter';
import { MAX_NESTING_DEPTH, parseExpression } from './parser';
import { printExpression } from './printer';
import {
  compileRuleFile,
  formatRuleError,
  LIMITS,
  parseRuleFile,
  printRuleFile,
  type SnoopDefinition,
} from './rule-file';
import { sampleCustomer } from './testing/sample-customer';

const ENERGY_SPEND = 'sum(transactions.filter(t, t.category == "energy" && t.daysAgo <= 90.0).map(t, t.amount))';

const evaluateCompiled = (text: string, facts = sampleCustomer(7)) => {
  const plan = new AggregatePlan();
  const compiled = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES))).compile(parseExpression(text));
  const f = facts as unknown as Record<string, unknown>;
  return compiled(f, [], plan.computeAll(f));
};

describe('parser and printer', () => {
  it.each([
    ['1.0 + 2.0 * 3.0', '1.0 + 2.0 * 3.0'],
    ['(1.0 + 2.0) * 3.0', '(1.0 + 2.0) * 3.0'],
    ['a - (b - c)', 'a - (b - c)'],
    ['!(a && b) || c', '!(a && b) || c'],
    ['a ? b : c ? d : e', 'a ? b : c ? d : e'],
    ['profile.age >= 18 && "x" in ["x", "y"]', 'profile.age >= 18.0 && "x" in ["x", "y"]'],
    [ENERGY_SPEND, ENERGY_SPEND],
    ['- -x', '- -x'],
  ])('prints %s canonically', (source, printed) => {
    expect(printExpression(parseExpression(source))).toBe(printed);
    expect(printExpression(parseExpression(printed))).toBe(printed);
  });

  it('reports where a parse error is', () => {
    expect(() => parseExpression('profile.age >= ')).toThrow(
      /expected a value, a name or "\(", found the end of the text/,
    );
    expect(() => parseExpression('(1.0 + 2.0')).toThrow(/expected "\)" to close "\("/);
    expect(() => parseExpression('1.0 2.0')).toThrow(/unexpected "2" after the end of the expression/);
  });

  it('refuses nesting deeper than the limit, and takes nesting up to it', () => {
    const bracketed = (n: number) => `${'('.repeat(n)}1.0${')'.repeat(n)}`;
    expect(parseExpression(bracketed(MAX_NESTING_DEPTH))).toMatchObject({ kind: 'literal', value: 1 });
    expect(() => parseExpression(bracketed(MAX_NESTING_DEPTH + 1))).toThrow(/nests deeper than 32 levels/);
    expect(() => parseExpression(bracketed(40))).toThrow(/nests deeper than 32 levels/);
  });
});

describe('type checker', () => {
  const issues = (text: string) =>
    checkExpression(parseExpression(text), CUSTOMER_VARIABLES).issues.map((i) => i.message);

  it('accepts well-typed conditions', () => {
    expect(issues(`${ENERGY_SPEND} > 300.0 && profile.isHomeowner`)).toEqual([]);
    expect(issues('transactions.exists(t, t.merchant.startsWith("Bet"))')).toEqual([]);
  });

  it('names unknown fields with the fields that exist', () => {
    expect(issues('profile.agee > 18.0')[0]).toMatch(
      /unknown field "agee" of profile; its fields are age, tenureMonths/,
    );
    expect(issues('transactions.filter(t, t.categry == "x").size() > 0.0')[0]).toMatch(
      /unknown field "categry" of transaction/,
    );
  });

  it('names type mismatches in plain words', () => {
    expect(issues('profile.region > 3.0')[0]).toBe(
      '">" needs two numbers, two strings or two booleans, not a string and a number',
    );
    expect(issues('profile.age && true')[0]).toBe('each side of "&&" must be a bool, but this is a number');
    expect(issues('profile.age == "18"')[0]).toMatch(/compares a number with a string/);
  });

  it('names unknown functions and variables', () => {
    expect(issues('median(transactions.map(t, t.amount))')[0]).toMatch(
      /unknown function "median"; functions: sum, avg, max, min, size/,
    );
    expect(issues('customer.age')[0]).toMatch(
      /unknown name "customer"; available here: balances, profile, salary, transactions/,
    );
  });

  it('knows only its own names and fields, never what every JavaScript object inherits', () => {
    expect(issues('constructor == constructor')[0]).toMatch(/^unknown name "constructor"; available here: /);
    expect(issues('profile.__proto__ != null')[0]).toMatch(/^unknown field "__proto__" of /);
    expect(issues('profile.toString == profile.toString')[0]).toMatch(/^unknown field "toString" of /);
    expect(issues('transactions.exists(hasOwnProperty, hasOwnProperty.amount > 1.0)')).toEqual([]);
  });

  it('reports each independent mistake', () => {
    expect(issues('profile.nope > 1.0 && balances.alsoNope > 2.0')).toHaveLength(2);
  });
});

describe('compiler', () => {
  it('folds constants', () => {
    expect(fold(parseExpression('2.0 * 3.0 + 1.0'))).toMatchObject({ kind: 'literal', value: 7 });
    expect(fold(parseExpression('false && profile.isHomeowner'))).toMatchObject({ kind: 'literal', value: false });
    expect(printExpression(fold(parseExpression('true && profile.isHomeowner')))).toBe('profile.isHomeowner');
  });

  it('computes each aggregate once per customer, however many rules use it', () => {
    const plan = new AggregatePlan();
    const compiler = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES)));
    compiler.compile(parseExpression(`${ENERGY_SPEND} > 100.0`));
    compiler.compile(parseExpression(`min(1.0, ${ENERGY_SPEND} / 1000.0)`));
    compiler.compile(parseExpression('size(transactions.filter(t, t.category == "gambling")) > 3.0'));
    expect(plan.keys).toEqual([ENERGY_SPEND, 'size(transactions.filter(t, t.category == "gambling"))']);
  });

  it.each([
    ENERGY_SPEND,
    'avg(transactions.map(t, t.amount))',
    'max(transactions.filter(t, t.direction == "out").map(t, t.amount))',
    'min(transactions.filter(t, t.direction == "out").map(t, t.amount))',
    'size(transactions.filter(t, t.merchant.contains("Gas")))',
    'transactions.all(t, t.amount >= 0.0)',
    'transactions.exists(t, t.category == "gambling" && t.amount > balances.current)',
    'transactions.filter(t, t.daysAgo < 7.0).map(t, t.amount)',
    'sum(transactions.filter(t, transactions.exists(u, u.merchant == t.merchant && u.daysAgo > t.daysAgo)).map(t, t.amount))',
  ])('agrees with the reference interpreter on %s', (text) => {
    const facts = sampleCustomer(42);
    expect(evaluateCompiled(text, facts)).toEqual(
      interpret(parseExpression(text), facts as unknown as Record<string, unknown>),
    );
  });

  it('serves every window and reduction of one filter from one pass, each equal to the interpreter', () => {
    const out = (window: string, rest = '') =>
      `t.direction == "out"${rest}${window ? ` && t.daysAgo <= ${window}` : ''}`;
    const texts = [
      ...['7.0', '30.0', '90.0', ''].flatMap((w) => [
        `sum(transactions.filter(t, ${out(w)}).map(t, t.amount))`,
        `avg(transactions.filter(t, ${out(w)}).map(t, t.amount))`,
        `max(transactions.filter(t, ${out(w)}).map(t, t.amount * 2.0))`,
        `min(transactions.filter(t, ${out(w)}).map(t, t.amount))`,
        `size(transactions.filter(t, ${out(w, ' && t.amount > 20.0')}))`,
        `transactions.exists(t, ${out(w, ' && t.amount > 500.0')})`,
      ]),
      'transactions.all(t, t.direction == "out" && t.amount > 20.0)',
      // Several buckets are not one age order: each window is a pass of its own.
      'sum(transactions.filter(t, t.category in ["energy", "groceries"] && t.daysAgo <= 30.0).map(t, t.amount))',
      'sum(transactions.filter(t, t.category in ["energy", "groceries"] && t.daysAgo <= 90.0).map(t, t.amount))',
      'size(transactions.filter(t, t.category in ["energy", "groceries"]))',
      // Enough keys that some share a slot of the bucket lookup table.
      ...['Tesco', 'TfL', 'Lidl', 'Shell', 'Apple', 'Costa'].map(
        (merchant) =>
          `size(transactions.filter(t, t.merchant in [${[merchant, ...Array.from({ length: 60 }, (_, i) => `M${i}`)].map((m) => `"${m}"`).join(', ')}]))`,
      ),
    ];
    const plan = new AggregatePlan();
    const compiler = new Compiler(plan, new Set(Object.keys(CUSTOMER_VARIABLES)));
    const compiled = texts.map((text) => compiler.compile(parseExpression(text)));
    // 24 aggregates over "out" in 3 passes (one per residual), "all" in 1, the two-category bucket
    // in 3 (one per window), the merchant lists in 6.
    expect(plan.fusedGroups).toBe(3 + 1 + 3 + 6);
    for (const seed of [1, 2, 3, 42]) {
      const facts = sampleCustomer(seed) as unknown as Record<string, unknown>;
      const slots = plan.computeAll(facts);
      texts.forEach((text, i) =>
        expect([text, compiled[i]!(facts, [], slots)]).toEqual([text, interpret(parseExpression(text), facts)]),
      );
    }
  });

  it('gives 0 for aggregates of nothing', () => {
    expect(evaluateCompiled('avg(transactions.filter(t, t.category == "none").map(t, t.amount))')).toBe(0);
    expect(evaluateCompiled('max(transactions.filter(t, t.category == "none").map(t, t.amount))')).toBe(0);
  });
});

const definition = (overrides: Partial<SnoopDefinition> = {}): SnoopDefinition => ({
  id: 'energy-switch',
  name: 'Switch your energy supplier',
  status: 'active',
  audience: 'homeowners',
  contentRef: 'cms:snoops/energy-switch',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  version: 3,
  when: `${ENERGY_SPEND} > 300.0 && profile.isHomeowner`,
  score: `min(1.0, ${ENERGY_SPEND} / 1000.0)`,
  ...overrides,
});

describe('rules file', () => {
  it('round-trips definitions through text', () => {
    const definitions = [
      definition(),
      definition({ id: 'bank-charges', validTo: undefined, when: 'balances.current < 0.0', score: '0.8' }),
    ];
    const text = printRuleFile(definitions, 'rule set for tests');
    const parsed = parseRuleFile(text);
    expect(parsed.errors).toEqual([]);
    const byId = (a: SnoopDefinition, b: SnoopDefinition) => a.id.localeCompare(b.id);
    const withoutUndefined = definitions.map((d) => JSON.parse(JSON.stringify(d)) as SnoopDefinition);
    expect(parsed.snoops.map((s) => s.definition).sort(byId)).toEqual(withoutUndefined.sort(byId));
    expect(
      printRuleFile(
        parsed.snoops.map((s) => s.definition),
        'rule set for tests',
      ),
    ).toBe(text);
  });

  it('evaluates customers: matching snoops with scores in [0, 1]', () => {
    const outcome = compileRuleFile(
      printRuleFile([
        definition({ when: 'true', score: `${ENERGY_SPEND} / 10.0` }),
        definition({ id: 'never', when: 'false', score: '1.0' }),
      ]),
    );
    if (!outcome.ok) throw new Error(outcome.errors.map(formatRuleError).join('\n'));
    const results = outcome.ruleSet.evaluate(sampleCustomer(3));
    expect(results.map((r) => r.id)).toEqual(['energy-switch']);
    expect(results[0]!.score).toBe(1);
  });

  it('evaluates only active snoops, and on a given day only those valid that day', () => {
    const outcome = compileRuleFile(
      printRuleFile([
        definition({ id: 'all-year', when: 'true', score: '0.5' }),
        definition({ id: 'winter', when: 'true', score: '0.5', validFrom: '2026-11-01', validTo: '2027-02-28' }),
        definition({ id: 'open-ended', when: 'true', score: '0.5', validFrom: '2026-06-01', validTo: undefined }),
        definition({ id: 'draft', status: 'draft', when: 'true', score: '0.5' }),
      ]),
    );
    if (!outcome.ok) throw new Error(outcome.errors.map(formatRuleError).join('\n'));
    const ids = (on?: string) => outcome.ruleSet.evaluate(sampleCustomer(3), { on }).map((r) => r.id);
    expect(ids()).toEqual(['all-year', 'open-ended', 'winter']);
    expect(ids('2026-03-01')).toEqual(['all-year']);
    expect(ids('2026-11-01')).toEqual(['all-year', 'open-ended', 'winter']);
    expect(ids('2027-01-15')).toEqual(['open-ended', 'winter']);
    expect(ids('2027-03-01')).toEqual(['open-ended']);
    expect(() => ids('1 March')).toThrow('"on" must be a day like "2026-01-31"');
  });

  it('reports every error in a file with snoop id, line:column and a caret', () => {
    const text = [
      'snoop "good" { name: "ok" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 when: true score: 0.5 }',
      'snoop "typo" { name: "x" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1',
      '  when: profile.agee > 18.0',
      '  score: 1.5 }',
      'snoop "broken" { name: "x" status: active audience: "all" content: "c" valid_from: "2026-01-01" version: 1 when: (true score: 1.0 }',
      'snoop "later" { name: "x" status: sometimes audience: "all" content: "c" valid_from: "2026-01-01" version: 1 when: true score: 1.0 }',
    ].join('\n');
    const outcome = compileRuleFile(text);
    expect(outcome.ok).toBe(false);
    const errors = outcome.ok ? [] : outcome.errors;
    expect(errors.map((e) => [e.snoopId, e.line])).toEqual([
      ['typo', 3],
      ['typo', 4],
      ['broken', 5],
      ['later', 6],
    ]);
    expect(formatRuleError(errors[0]!)).toBe(
      [
        'snoop "typo" line 3:9: unknown field "agee" of profile; its fields are age, tenureMonths, region, employmentStatus, creditScore, isHomeowner, hasOverdraft',
        '3 |   when: profile.agee > 18.0',
        '            ^^^^^^^^^^^^',
      ].join('\n'),
    );
    expect(errors[1]!.message).toBe('the score is 1.5; a score must be between 0 and 1');
  });

  it('refuses duplicate ids and a condition that is not true/false', () => {
    const outcome = compileRuleFile(printRuleFile([definition(), definition({ when: 'profile.age' })]));
    const messages = outcome.ok ? [] : outcome.errors.map((e) => e.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'snoop id "energy-switch" is used twice',
        'the condition (when) must be a true/false condition, but this is a number',
      ]),
    );
  });
});

describe('rules file: every input yields a report, never an exception', () => {
  const errorsOf = (when: string, score = '0.5') => {
    const outcome = compileRuleFile(printRuleFile([definition({ when, score })]));
    return outcome.ok ? [] : outcome.errors.map((e) => e.message);
  };

  it.each([
    ['a flat chain of 5,000 && terms', Array.from({ length: 5_000 }, () => 'true').join(' && ')],
    ['10,000 selections in a row', `profile${'.a'.repeat(10_000)} == 1.0`],
    ['a chain of 3,000 method calls', `profile.region${'.startsWith("a")'.repeat(3_000)}`],
    [
      'a list of 2,000 elements, each a chain',
      `[${Array.from({ length: 2_000 }, () => '1.0 + 1.0').join(', ')}] == []`,
    ],
  ])('reports %s as too long', (_, when) => {
    expect(errorsOf(when)).toEqual([
      expect.stringMatching(
        /chains more than 400 operators, selections or calls; split it into simpler parts|parts; at most 400/,
      ),
    ]);
  });

  it('accepts a chain as long as the part limit allows', () => {
    // 200 terms and 199 operators: 399 parts, one under the limit, and a tree 200 tall.
    expect(errorsOf(Array.from({ length: 200 }, () => 'true').join(' && '))).toEqual([]);
  });

  it.each([
    ['1.0 in 2.0', 'the right side of "in" must be a list, but this is a number'],
    ['null in null', 'the right side of "in" must be a list, but this is a null'],
    ['"a" + 1.0', expect.stringContaining('"+"')],
  ])('checks a constant score before folding it: %s', (score, message) => {
    expect(errorsOf('true', score)).toEqual([message]);
  });

  it.each([
    ['-0.5', 'the score is -0.5; a score must be between 0 and 1'],
    ['true ? 2.0 : 0.5', 'the score is 2; a score must be between 0 and 1'],
    ['false ? 0.5 : 1.0 + 1.0', 'the score is 2; a score must be between 0 and 1'],
  ])('refuses a constant score out of range however it is written: %s', (score, message) => {
    expect(errorsOf('true', score)).toEqual([message]);
  });

  it('shows a long line as a window around the problem, with the caret under it', () => {
    const text = `snoop "x" { name: "n" ${' '.repeat(5_000)}oops }`;
    const [error] = parseRuleFile(text).errors;
    expect(error).toMatchObject({ line: 1, column: 5_023 });
    const [excerpt, caret] = error!.excerpt.split('\n');
    expect(excerpt!.length).toBeLessThan(200);
    expect(excerpt![caret!.indexOf('^')]).toBe('o');
    expect(excerpt).toMatch(/^1 \| … +oops }$/);
  });

  it('gives every error of a many-line file its own line and column, and stops reading after a hundred', () => {
    const text = Array.from({ length: 3_000 }, (_, i) => `${' '.repeat(i % 7)}}`).join('\n');
    const { errors } = parseRuleFile(text);
    expect(errors).toHaveLength(LIMITS.errors + 1);
    expect(errors.slice(0, -1).map((e) => [e.line, e.column])).toEqual(
      Array.from({ length: LIMITS.errors }, (_, i) => [i + 1, (i % 7) + 1]),
    );
    expect(errors.at(-1)).toMatchObject({ line: LIMITS.errors + 1, message: /^stopped reading after 100 errors/ });
  });

  it('answers 200,000 stray braces with a hundred errors, not 200,000 recoveries', () => {
    const { errors } = parseRuleFile('}'.repeat(200_000));
    expect(errors).toHaveLength(LIMITS.errors + 1);
  });
});

describe('input size, bounded before the work', () => {
  it('refuses a file over its character limit before reading it', () => {
    const outcome = compileRuleFile(`snoop "x" {\n  name: "${'a'.repeat(LIMITS.fileCharacters)}"\n}`);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? [] : outcome.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^the file has 4,000,0\d\d characters; at most 4,000,000 are allowed/),
    ]);
  });

  it('refuses a string literal over its limit as soon as it is seen, naming where', () => {
    const outcome = compileRuleFile(`snoop "x" {\n  name: "${'a'.repeat(LIMITS.stringLiteral + 1)}"\n}`);
    expect(outcome.ok ? [] : outcome.errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'a string of more than 1,000 characters: shorten it'],
    ]);
    // At the limit, the literal is read (the snoop is refused for what else it lacks, not for its name).
    const atLimit = compileRuleFile(`snoop "x" {\n  name: "${'a'.repeat(LIMITS.stringLiteral)}"\n}`);
    expect(atLimit.ok ? [] : atLimit.errors.map((e) => e.message)).not.toContain(
      'a string of more than 1,000 characters: shorten it',
    );
  });
});
