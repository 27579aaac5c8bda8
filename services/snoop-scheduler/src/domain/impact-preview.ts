/**
 * The impact preview's worker: both rule files of a request run over the same customers of the customer store, a
 * page at a time, and the answer is the report (or why there is none). Read-only: nothing is scored for real,
 * nothing is written but the answer.
 */
import {
  compileRuleFile,
  formatRuleError,
  impactTally,
  type CompiledRuleSet,
  type CustomerFacts,
} from '@backbone/rules-language';
import type { ImpactPreviewComputed, ImpactPreviewRequested } from '../../contracts';

export interface ImpactPreviewPorts {
  /** Eligible customer ids after `after` in id order, at most `limit` of them. */
  pageCustomers(after: string | undefined, limit: number): Promise<string[]>;
  /** Their facts over the last `windowDays` before `asOf` (those not found are absent). */
  readCustomers(
    ids: readonly string[],
    options: { asOf: Date; windowDays: number },
  ): Promise<Map<string, CustomerFacts>>;
  /** The currency explanations quote amounts in (the engine's). */
  currency: string;
  /** The most days of transactions read when a rule set reads them all (the engine's limit). */
  maxWindowDays: number;
  /** Customers per page: one query each. */
  pageSize?: number;
  /** Told after each page (progress in the log). */
  onPage?: (counted: number) => void;
  now?: () => Date;
}

const DEFAULT_PAGE_SIZE = 1_000;

function compile(side: { label: string; rulesFile: string }, currency: string): CompiledRuleSet | string {
  const compiled = compileRuleFile(side.rulesFile, { currency });
  if (compiled.ok) return compiled.ruleSet;
  const shown = compiled.errors.slice(0, 3).map(formatRuleError).join('; ');
  return `the rules file "${side.label}" does not compile (${compiled.errors.length} problem(s)): ${shown}`;
}

export async function computeImpactPreview(
  request: ImpactPreviewRequested,
  ports: ImpactPreviewPorts,
): Promise<ImpactPreviewComputed> {
  const now = ports.now ?? (() => new Date());
  const began = performance.now();
  const answer = (outcome: ImpactPreviewComputed['outcome']): ImpactPreviewComputed => ({
    previewId: request.previewId,
    outcome,
    computedAt: now().toISOString(),
  });
  const before = request.before ? compile(request.before, ports.currency) : undefined;
  const after = compile(request.after, ports.currency);
  // A request rules-ingestion built is valid; one that is not gets its reason back rather than a retry.
  for (const side of [before, after]) if (typeof side === 'string') return answer({ status: 'failed', reason: side });
  const beforeSet = before as CompiledRuleSet | undefined;
  const afterSet = after as CompiledRuleSet;

  // Both sides see the same transactions: the longer of their windows (`daysAgo <= N` sees N + 1 days); a rule set
  // with no window reads them all, as far as the engine reads.
  const windows = [beforeSet, afterSet].map((set) => (set ? (set.transactionWindowDays ?? Infinity) : 0));
  const windowDays = Math.min(Math.floor(Math.max(...windows)) + 1, ports.maxWindowDays);
  const asOf = new Date(`${request.on}T00:00:00Z`);
  const tally = impactTally(beforeSet, afterSet, {
    ids: request.snoopIds,
    on: request.on,
    samplesPerKind: request.samplesPerKind,
  });
  const limit = request.customers ?? Infinity;
  const pageSize = ports.pageSize ?? DEFAULT_PAGE_SIZE;
  let counted = 0;
  let last: string | undefined;
  while (counted < limit) {
    const ids = await ports.pageCustomers(last, Math.min(pageSize, limit - counted));
    if (ids.length === 0) break;
    last = ids.at(-1);
    const facts = await ports.readCustomers(ids, { asOf, windowDays });
    // In id order, so the samples are the same customers every time.
    tally.add(ids.flatMap((id) => (facts.has(id) ? [{ id, facts: facts.get(id)! }] : [])));
    counted += ids.length;
    ports.onPage?.(counted);
  }
  return answer({
    status: 'computed',
    report: tally.report(),
    on: request.on,
    tookMs: Math.round(performance.now() - began),
  });
}
