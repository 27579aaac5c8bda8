import type { DeadLetter } from './dead-letters';

/** A dead letter of the marketing DLQ for tests: number n, with whatever overrides a test needs. */
export const letter = (n: number, overrides: Partial<DeadLetter> = {}): DeadLetter => ({
  dlq: 'marketing-events-local-events-dlq',
  messageId: `m-${n}`,
  sourceQueue: 'marketing-events-local-events',
  kind: 'permanent',
  reason: `meta answered 400 (code 100): invalid phone +4477009${String(n).padStart(5, '0')} for ref ${'ab12cd34ef56'}`,
  failedAt: new Date(Date.UTC(2026, 10, 30, 12, 0, n)).toISOString(),
  receiveCount: 1,
  originalMessageId: `o-${n}`,
  messageType: 'LoanApproved',
  messageVersion: 1,
  body: `{"id":"e-${n}"}`,
  attributes: {},
  indexedBy: 'consumer',
  ...overrides,
});
