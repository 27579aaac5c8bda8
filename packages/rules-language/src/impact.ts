/**
 * The impact of a change before it is published: the active rule set and the draft, each run over the same customers,
 * and for every snoop asked about how many customers it gains and loses, how its scores move, and a few customers of
 * each kind with the reason in words. Pure and read-only: whoever holds the customers (the engine's worker, a test)
 * runs it; nothing is written. One pass per customer: each rule set's `evaluate` (its shared aggregates, no
 * explanations), and explanations only for the few customers shown.
 */
import type { CustomerFacts } from './customer-schema';
import type { CompiledRuleSet, RuleOutcome } from './rule-file';

/** Scores in ten bands: [0, 0.1), [0.1, 0.2), ... [0.9, 1]. */
export const SCORE_BANDS = 10;

export interface ImpactCustomer {
  /** How the report names the customer (an id: never their facts). */
  id: string;
  facts: CustomerFacts;
}

export interface ImpactSample {
  customerId: string;
  before: string;
  after: string;
}

export interface SnoopImpact {
  id: string;
  /** Customers it fires for, before and after. */
  firedBefore: number;
  firedAfter: number;
  /** Fired after and not before; fired before and not after. */
  gained: number;
  lost: number;
  /** Among customers it fires for both times, those whose score changed. */
  rescored: number;
  /** How many customers' scores fall in each band, of those it fires for. */
  scoreBandsBefore: number[];
  scoreBandsAfter: number[];
  samples: { gained: ImpactSample[]; lost: ImpactSample[] };
}

export interface ImpactReport {
  customers: number;
  snoops: SnoopImpact[];
}

const band = (score: number): number => Math.min(SCORE_BANDS - 1, Math.floor(score * SCORE_BANDS));

const explanationOf = (ruleSet: CompiledRuleSet | undefined, facts: CustomerFacts, id: string, on: string): string => {
  if (!ruleSet) return 'not in the active rule set';
  const [outcome] = ruleSet.evaluateRules(facts, [id], { on }) as [RuleOutcome];
  return 'explanation' in outcome ? outcome.explanation : outcome.reason;
};

export interface ImpactOptions {
  ids: readonly string[];
  on: string;
  samplesPerKind?: number;
}

/**
 * What publishing `after` in place of `before` would change for `ids` over `customers` on day `on`. `before` may be
 * absent (nothing published yet: everything after is gained). At most `samplesPerKind` customers are shown gained
 * and lost per snoop (the first met, so the same customers give the same report).
 */
export function previewImpact(
  before: CompiledRuleSet | undefined,
  after: CompiledRuleSet,
  customers: Iterable<ImpactCustomer>,
  options: ImpactOptions,
): ImpactReport {
  const tally = impactTally(before, after, options);
  tally.add(customers);
  return tally.report();
}

/**
 * previewImpact a page of customers at a time: whoever reads customers from a store adds each page as it arrives and
 * lets it go, so memory holds one page, however many customers are counted.
 */
export function impactTally(before: CompiledRuleSet | undefined, after: CompiledRuleSet, options: ImpactOptions) {
  const samplesPerKind = options.samplesPerKind ?? 3;
  const wanted = new Set(options.ids);
  const impacts = new Map<string, SnoopImpact>(
    options.ids.map((id) => [
      id,
      {
        id,
        firedBefore: 0,
        firedAfter: 0,
        gained: 0,
        lost: 0,
        rescored: 0,
        scoreBandsBefore: new Array<number>(SCORE_BANDS).fill(0),
        scoreBandsAfter: new Array<number>(SCORE_BANDS).fill(0),
        samples: { gained: [], lost: [] },
      },
    ]),
  );
  const scoresOf = (ruleSet: CompiledRuleSet | undefined, facts: CustomerFacts): Map<string, number> => {
    const scores = new Map<string, number>();
    for (const result of ruleSet?.evaluate(facts, { on: options.on }) ?? [])
      if (wanted.has(result.id)) scores.set(result.id, result.score);
    return scores;
  };
  let count = 0;
  const add = (customer: ImpactCustomer): void => {
    count++;
    const was = scoresOf(before, customer.facts);
    const now = scoresOf(after, customer.facts);
    for (const impact of impacts.values()) {
      const scoreBefore = was.get(impact.id);
      const scoreAfter = now.get(impact.id);
      if (scoreBefore !== undefined) {
        impact.firedBefore++;
        impact.scoreBandsBefore[band(scoreBefore)]!++;
      }
      if (scoreAfter !== undefined) {
        impact.firedAfter++;
        impact.scoreBandsAfter[band(scoreAfter)]!++;
      }
      if (scoreBefore !== undefined && scoreAfter !== undefined) {
        if (scoreBefore !== scoreAfter) impact.rescored++;
        continue;
      }
      if (scoreBefore === undefined && scoreAfter === undefined) continue;
      const kind = scoreAfter !== undefined ? 'gained' : 'lost';
      impact[kind]++;
      if (impact.samples[kind].length < samplesPerKind)
        impact.samples[kind].push({
          customerId: customer.id,
          before: explanationOf(before, customer.facts, impact.id, options.on),
          after: explanationOf(after, customer.facts, impact.id, options.on),
        });
    }
  };
  return {
    add(customers: Iterable<ImpactCustomer>): void {
      for (const customer of customers) add(customer);
    },
    /** The report so far (a copy: adding more later does not change it). */
    report: (): ImpactReport => structuredClone({ customers: count, snoops: [...impacts.values()] }),
  };
}
