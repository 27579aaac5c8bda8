/**
 * snoop-scheduler's public face for local runs and tooling (`@backbone/snoop-scheduler/local`). Today: npm
 * start's demo (the rule set rules-ingestion's demo published, activated). The rules engine's processes and
 * the customer store's migrations join here.
 */
import type { LocalServiceFace } from '@backbone/shared/local';
import { demoSnoopScheduler } from './demo';

export const localService: LocalServiceFace = {
  kind: 'lambdas',
  demo: demoSnoopScheduler,
  // Shows what rules-ingestion's demo published.
  demoAfter: ['rules-ingestion'],
};
