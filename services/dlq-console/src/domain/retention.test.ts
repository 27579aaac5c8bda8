import { rolesFrom } from './access';
import { createDeadLetterConsole } from './console';
import { DLQ, letter, world } from './dead-letters.fixtures';
import { deletedBySqsAt, timeUntil } from './retention';

const reader = { name: 'ops@example.com', roles: rolesFrom(['dlq:read']) };
/** The world's clock starts at 13:00 on 30 November 2026; its DLQ keeps messages 14 days. */
const NOW = Date.UTC(2026, 10, 30, 13);
const DAY = 86_400_000;

describe('when SQS deletes a dead letter', () => {
  it('is its DLQ’s retention after it failed', () => {
    expect(deletedBySqsAt('2026-11-30T12:00:00.000Z', 1_209_600)).toBe('2026-12-14T12:00:00.000Z');
  });

  it('is said as people say it', () => {
    expect(timeUntil(new Date(NOW + 30_000).toISOString(), NOW)).toBe('now');
    expect(timeUntil(new Date(NOW + 12 * 60_000 + 5_000).toISOString(), NOW)).toBe('in 12 min');
    expect(timeUntil(new Date(NOW + 5 * 3_600_000).toISOString(), NOW)).toBe('in 5 h');
    expect(timeUntil(new Date(NOW + 3 * DAY + 4 * 3_600_000).toISOString(), NOW)).toBe('in 3 d 4 h');
  });

  it('shows on every dead letter, and on each group, which is marked when its oldest goes within a day', async () => {
    const failed = (msBefore: number) => new Date(NOW - msBefore).toISOString();
    const w = world([
      // 13 days and 1 hour old: SQS deletes it in 23 hours.
      letter(1, { failedAt: failed(13 * DAY + 3_600_000) }),
      letter(2, { failedAt: failed(3_600_000) }),
      // Another group (another type), a day old: deleted in 13 days.
      letter(3, { failedAt: failed(DAY), messageType: 'RegistrationCompleted' }),
    ]);
    const console_ = createDeadLetterConsole(w.deps);
    const groups = await console_.groups(reader, DLQ);
    expect(groups.map((g) => [g.messageType, g.oldestDeletedAt, g.deletedSoon])).toEqual([
      ['LoanApproved', new Date(NOW + DAY - 3_600_000).toISOString(), true],
      ['RegistrationCompleted', new Date(NOW + 13 * DAY).toISOString(), false],
    ]);
    const messages = await console_.messages(reader, DLQ);
    expect(messages.map((m) => [m.messageId, m.deletedAt])).toEqual([
      ['m-2', new Date(NOW + 14 * DAY - 3_600_000).toISOString()],
      ['m-3', new Date(NOW + 13 * DAY).toISOString()],
      ['m-1', new Date(NOW + DAY - 3_600_000).toISOString()],
    ]);
  });
});
