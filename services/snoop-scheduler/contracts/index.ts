/**
 * snoop-scheduler's public contracts: the rule-set announcements it accepts (from rules-ingestion), and the
 * messages of its nightly run.
 */
export * from './rule-set-published';
export * from './snoop-run';
