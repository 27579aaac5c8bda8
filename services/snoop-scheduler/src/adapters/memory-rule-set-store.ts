import type { ActivationOutcome, RuleSetStore, RuleSetVersion } from '../domain/active-rule-set';

/** The store's contract in memory, for unit tests: history per version, one active pointer, newest publication wins. */
export function createMemoryRuleSetStore() {
  const history = new Map<string, RuleSetVersion>();
  let active: RuleSetVersion | undefined;
  const store: RuleSetStore = {
    async recordVersion(version) {
      if (!history.has(version.ruleSetVersion)) history.set(version.ruleSetVersion, version);
    },
    async activate(version): Promise<ActivationOutcome> {
      if (!active || active.publishedAt < version.publishedAt) {
        active = version;
        return 'activated';
      }
      return active.ruleSetVersion === version.ruleSetVersion ? 'already-active' : 'superseded';
    },
  };
  return { store, history, active: () => active };
}
