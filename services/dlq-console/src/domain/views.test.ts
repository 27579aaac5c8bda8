/**
 * What each view shows of what it is given, field by field: the system's own attributes as they are, every other
 * one masked and named, the reasons and platforms' answers masked as text, a FIFO group masked; plans, dry runs,
 * redrive records and audit entries with their texts masked and nothing else changed.
 */
import { ATTRIBUTE, maskText, maskValue } from '@backbone/shared';
import { letter, loanApprovedBody } from './dead-letters.fixtures';
import type { DryRunResult } from './dry-run';
import type { AuditEntry, RedriveRecord } from './ports';
import type { RedrivePlan } from './redrive';
import { auditView, dryRunView, maskedLetter, planBehind, planView, recordView, unmaskedLetter } from './views';

const REASON = 'meta answered 400 (code 100): invalid phone +447700900123 for jane@example.com';

describe('a dead letter as shown', () => {
  it('keeps the system’s attributes, masks the others and names them, and masks its group, reason and answers', () => {
    const dead = letter(1, {
      body: loanApprovedBody({ phone: '+447700900123' }),
      reason: REASON,
      destinations: [
        { destination: 'meta', code: '400/100', message: REASON },
        { destination: 'ga4', code: 'timeout' },
      ],
      groupId: 'customer-c-1',
      attributes: {
        [ATTRIBUTE.type]: 'LoanApproved',
        [ATTRIBUTE.failureReason]: REASON,
        'x-customer-email': 'jane@example.com',
      },
    });
    const view = maskedLetter(dead);
    expect(view.attributes).toEqual({
      [ATTRIBUTE.type]: 'LoanApproved',
      [ATTRIBUTE.failureReason]: view.reason,
      'x-customer-email': maskValue('jane@example.com'),
    });
    expect(view.reason).not.toContain('jane@example.com');
    expect(view.reason).not.toContain('+447700900123');
    expect(view.reason).toBe(maskText(REASON, ['jane@example.com', '+447700900123', 'c-1']));
    expect(view.destinations).toEqual([
      { destination: 'meta', code: '400/100', message: view.reason },
      { destination: 'ga4', code: 'timeout' },
    ]);
    expect(view.groupId).toBe(maskValue('customer-c-1'));
    expect(view.masked).toEqual(
      expect.arrayContaining(['data.customer.email', 'attributes.x-customer-email', 'groupId']),
    );
    expect(view.body).not.toContain('jane@example.com');
    expect(view.messageId).toBe('m-1');
  });

  it('shows a letter without a body, a group or answers without them, masking nothing it does not have', () => {
    const view = maskedLetter(letter(2, { body: undefined, destinations: undefined, attributes: undefined }));
    expect(view).not.toHaveProperty('body');
    expect(view).not.toHaveProperty('groupId');
    expect(view.destinations).toEqual([]);
    expect(view.attributes).toEqual({});
    expect(view.masked).toEqual([]);
  });

  it('unmasks only as asked: the letter as it is, nothing listed as masked', () => {
    const dead = letter(3, { groupId: 'g' });
    expect(unmaskedLetter(dead)).toEqual({ ...dead, masked: [] });
  });
});

describe('plans, dry runs, records and audit entries as shown', () => {
  const plan: RedrivePlan = {
    dlq: {
      name: 'dlq',
      fifo: true,
      sources: ['src'],
      depth: 2,
      inFlight: 0,
      retentionSeconds: 60,
      retryWindowSeconds: 30,
    },
    filter: { reason: 'phone' },
    selected: [letter(1), letter(2, { messageType: undefined })],
    addedForOrder: 1,
    addedForOrderIds: ['m-0'],
    bySource: { src: 2 },
    byType: { LoanApproved: 1, '(untyped)': 1 },
    sample: [letter(1, { reason: REASON }), letter(2, { messageType: undefined })],
    summary: '2 dead letters of dlq',
  };

  it('shows a plan’s counts and sentence, and a sample with masked reasons and no type where there is none', () => {
    const view = planView(plan);
    // As it leaves the console: JSON, where the plan behind it (a symbol key) is not.
    expect(JSON.parse(JSON.stringify(view))).toEqual({
      dlq: 'dlq',
      fifo: true,
      // Its retry window (30 s) and the margin.
      canaryWatchSeconds: 60,
      filter: { reason: 'phone' },
      selected: 2,
      addedForOrder: 1,
      addedForOrderIds: ['m-0'],
      bySource: { src: 2 },
      byType: { LoanApproved: 1, '(untyped)': 1 },
      sample: [
        {
          messageId: 'm-1',
          messageType: 'LoanApproved',
          failedAt: plan.sample[0]!.failedAt,
          kind: 'permanent',
          reason: maskText(REASON),
        },
        {
          messageId: 'm-2',
          failedAt: plan.sample[1]!.failedAt,
          kind: 'permanent',
          reason: maskText(plan.sample[1]!.reason),
        },
      ],
      summary: '2 dead letters of dlq',
    });
    expect(planBehind(view)).toBe(plan);
  });

  it('masks a dry run’s reasons and the platforms’ failures, and leaves a platform without one alone', () => {
    const result: DryRunResult = {
      plan,
      wouldPass: 1,
      wouldFail: [{ reason: REASON, count: 1, sample: ['m-1'] }],
      alreadyDelivered: { count: 0, sample: [] },
      destinations: [
        { destination: 'meta', failedAt: 1, failure: REASON },
        { destination: 'ga4', acceptedAt: 2 },
      ] as DryRunResult['destinations'],
    };
    const view = dryRunView(result);
    expect(view.plan).toEqual(planView(plan));
    expect(view.wouldFail).toEqual([{ reason: maskText(REASON), count: 1, sample: ['m-1'] }]);
    expect(view.destinations).toEqual([
      { destination: 'meta', failedAt: 1, failure: maskText(REASON) },
      { destination: 'ga4', acceptedAt: 2 },
    ]);
    expect(view.wouldPass).toBe(1);
  });

  it('masks why a redrive stopped and never shows what it was asked', () => {
    const shown = {
      redriveId: 'r-1',
      dlq: 'dlq',
      actor: 'ops@example.com',
      summary: 's',
      state: 'stopped',
      because: REASON,
      updatedAt: 't',
    } as RedriveRecord;
    const record = { ...shown, request: { roles: ['dlq:redrive'] } } as unknown as RedriveRecord;
    expect(recordView(record)).toEqual({ ...shown, because: maskText(REASON) });
    expect(recordView({ ...record, because: undefined })).toEqual({ ...shown, because: undefined });
  });

  it('masks an audit entry’s outcome and the texts of its detail, lists included, and nothing else', () => {
    const without = {
      at: '2026-12-07T10:00:00.000Z',
      actor: 'ops@example.com',
      action: 'unmask',
      dlq: 'dlq',
      target: 't',
      count: 1,
      outcome: REASON,
    } as AuditEntry;
    const entry = {
      ...without,
      detail: { reason: 'ticket for jane@example.com', messages: ['jane@example.com', 'm-2'], count: 3 },
    } as unknown as AuditEntry;
    expect(auditView(entry)).toEqual({
      ...entry,
      outcome: maskText(REASON),
      detail: {
        reason: maskText('ticket for jane@example.com'),
        messages: [maskText('jane@example.com'), maskText('m-2')],
        count: 3,
      },
    });
    expect(auditView(without)).toEqual({ ...without, outcome: maskText(REASON) });
  });
});
