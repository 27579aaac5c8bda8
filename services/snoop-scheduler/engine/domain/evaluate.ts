/**
 * The engine's one job: score customers against snoops and keep one result per customer and rule. A request names
 * its run and its customers, each with the rules to score (all active ones when it names none); the customers are
 * read in one round trip, every pair is scored on the one rule set the request started with, and the results are
 * written for the run only while the run fence says the run is current. An unknown customer or rule is an error for
 * that item alone; the rest are scored and written.
 */
import type { CustomerFacts } from '@backbone/rules-language';
import { EVALUATE_LIMITS, type EvaluateRequest, type EvaluateResponse, type ItemError } from '../../contracts';
import type { LoadedRuleSet } from '../../src/domain/rule-sets';
import type { Admission, RunFenceGuard } from './run-fence';

/** What DynamoDB keeps per customer and rule. */
export interface SnoopResultItem {
  customerId: string;
  ruleId: string;
  qualified: boolean;
  score: number;
  explanation: string;
  rulesVersion: string;
  runId: string;
  evaluatedAt: string;
}

export interface ResultWriter {
  /** Writes the items; `admit` is asked before every call (first or retry) and stops the writes when refused. */
  write(items: readonly SnoopResultItem[], options: { admit: () => Promise<Admission> }): Promise<{ written: number }>;
}

export type CustomerReader = (
  customerIds: readonly string[],
  options: { asOf: Date; windowDays: number },
) => Promise<Map<string, CustomerFacts>>;

export interface EvaluateDependencies {
  ruleSet: LoadedRuleSet;
  readCustomers: CustomerReader;
  results: ResultWriter;
  fence: RunFenceGuard;
  /** How many days of transactions to read when the rule set reads them all (no aggregate has a window). */
  maxWindowDays: number;
  now?: () => Date;
}

export {
  EVALUATE_LIMITS,
  evaluateRequestSchema,
  type EvaluateRequest,
  type EvaluateResponse,
  type ItemError,
} from '../../contracts';

export type EvaluateOutcome =
  | { kind: 'done'; response: EvaluateResponse }
  | { kind: 'refused'; admission: Exclude<Admission, { admitted: true }> }
  | { kind: 'too-large'; message: string };

export async function evaluateCustomers(
  request: EvaluateRequest,
  dependencies: EvaluateDependencies,
): Promise<EvaluateOutcome> {
  const { ruleSet: loaded } = dependencies;
  const now = (dependencies.now ?? (() => new Date()))();
  const on = request.on ?? now.toISOString().slice(0, 10);
  const wanted = request.customers?.map((c) => ({
    customerId: c.customerId,
    ruleIds: c.ruleIds ?? (c.ruleId ? [c.ruleId] : undefined),
  })) ?? [
    { customerId: request.customerId!, ruleIds: request.ruleIds ?? (request.ruleId ? [request.ruleId] : undefined) },
  ];
  const active = loaded.ruleSet.activeIds;
  const pairs = wanted.reduce((n, c) => n + (c.ruleIds ?? active).length, 0);
  if (pairs > EVALUATE_LIMITS.pairs)
    return {
      kind: 'too-large',
      message: `the request asks for ${pairs} evaluations; at most ${EVALUATE_LIMITS.pairs} per request: split it`,
    };
  const writing = !request.dryRun;
  const runId = request.runId;
  const admit = () => dependencies.fence.admit(runId!);
  if (writing) {
    // Refused before any work when the run is already over; asked again before every write.
    const admission = await admit();
    if (!admission.admitted) return { kind: 'refused', admission };
  }

  // `t.daysAgo <= N` sees N + 1 days: today and the N before it.
  const windowDays = Math.min(
    Math.floor(loaded.ruleSet.transactionWindowDays ?? Infinity) + 1,
    dependencies.maxWindowDays,
  );
  const asOf = new Date(`${on}T00:00:00Z`);
  const facts = await dependencies.readCustomers([...new Set(wanted.map((c) => c.customerId))], { asOf, windowDays });

  const evaluatedAt = now.toISOString();
  const results: NonNullable<EvaluateResponse['results']> = [];
  const errors: ItemError[] = [];
  const items: SnoopResultItem[] = [];
  let qualified = 0;
  let evaluated = 0;
  const answering = request.includeResults === true || !writing;
  for (const { customerId, ruleIds } of wanted) {
    const customer = facts.get(customerId);
    if (!customer) {
      errors.push({
        customerId,
        code: 'unknown-customer',
        // The item names the customer; its reason does not (it reaches logs and DLQ reasons).
        reason: 'the customer is not in the customer store; nothing was scored for them',
      });
      continue;
    }
    for (const outcome of loaded.ruleSet.evaluateRules(customer, ruleIds ?? active, { on })) {
      if ('error' in outcome) {
        errors.push({ customerId, ruleId: outcome.id, code: outcome.error, reason: outcome.reason });
        continue;
      }
      if (outcome.qualified) qualified++;
      evaluated++;
      const result = {
        customerId,
        ruleId: outcome.id,
        qualified: outcome.qualified,
        score: outcome.score,
        explanation: outcome.explanation,
      };
      if (answering) results.push(result);
      if (writing) items.push({ ...result, rulesVersion: loaded.version, runId: runId!, evaluatedAt });
    }
  }
  const { written } = writing ? await dependencies.results.write(items, { admit }) : { written: 0 };
  return {
    kind: 'done',
    response: {
      ...(runId ? { runId } : {}),
      rulesVersion: loaded.version,
      on,
      dryRun: !writing,
      evaluated,
      qualified,
      written,
      ...(answering ? { results } : {}),
      errors,
    },
  };
}
