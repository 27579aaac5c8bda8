/**
 * The rule step of the nightly run: an eligible customer becomes {run, customer, rule ids} messages for the invoke
 * step, with every active snoop of the active rule set, split so that no message carries more than `partSize` ids.
 * (Audiences are labels for the content team; who qualifies is each snoop's condition, which the engine decides.)
 */
import type { CustomerRules, EligibleCustomer } from '../../contracts';

export const RULE_IDS_PER_MESSAGE = 500;

export interface CustomerRulesMessage {
  /** Stable per run, customer and part: the FIFO queue drops a repeat within its deduplication window. */
  deduplicationId: string;
  /** The customer: their messages stay in order, and customers do not wait on each other. */
  groupId: string;
  rules: CustomerRules;
}

export function customerRulesFor(
  customer: EligibleCustomer,
  activeRuleIds: readonly string[],
  partSize = RULE_IDS_PER_MESSAGE,
): CustomerRulesMessage[] {
  const messages: CustomerRulesMessage[] = [];
  for (let start = 0, part = 0; start < activeRuleIds.length; start += partSize, part++)
    messages.push({
      deduplicationId: `${customer.runId}:${customer.customerId}:${part}`,
      groupId: customer.customerId,
      rules: { ...customer, ruleIds: activeRuleIds.slice(start, start + partSize) },
    });
  return messages;
}
