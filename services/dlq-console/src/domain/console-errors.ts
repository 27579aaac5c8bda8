import type { RedrivePlan } from './redrive';

/** How long a fix or a purge holds the DLQ's lock at most (each takes seconds). */
export const EDIT_LEASE_MS = 60_000;

export const busy = (dlq: string, action: string): string =>
  `a redrive of ${dlq} is running; ${action} when it has finished`;

export class StaleConfirmationError extends Error {
  constructor(readonly plan: RedrivePlan) {
    super('what the filter selects has changed since it was confirmed; look at the new plan and confirm it');
    this.name = 'StaleConfirmationError';
  }
}
