/**
 * snoop-scheduler's public contracts: the rule-set announcements it accepts (from rules-ingestion), the messages of
 * its nightly run, and the rules engine's HTTP protocol.
 */
export * from './engine';
export * from './impact-preview';
export * from './rule-set-published';
export * from './snoop-run';
export * from './published';
