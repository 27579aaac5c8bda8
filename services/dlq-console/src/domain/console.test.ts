import { createHash } from 'node:crypto';
import { ATTRIBUTE } from '@backbone/shared';
import type { RedriveRequested } from '../../contracts';
import { AccessDeniedError, rolesFrom, type Actor } from './access';
import { createDeadLetterConsole, StaleConfirmationError } from './console';
import { busy, EDIT_LEASE_MS } from './console-errors';
import { DLQ, failedAt, letter, loanApprovedBody, memoryRecords, SOURCE, world } from './dead-letters.fixtures';
import { editedBody, toCsv } from './operations';
import type { RedriveRecord } from './ports';

const body = (phone: string) => loanApprovedBody({ phone });

const actor = (...roles: string[]): Actor => ({ name: 'someone@example.com', roles: rolesFrom(roles) });

function consoleOver(
  letters = [letter(1, { body: body('07700 900123') }), letter(2, { body: body('+447700900124') })],
) {
  const w = world(letters);
  return { w, console_: createDeadLetterConsole(w.deps) };
}

describe('who may do what', () => {
  it('shows dead letters masked to a reader, and unmasked only to someone with the right who gives a reason (audited)', async () => {
    const { w, console_ } = consoleOver();
    const [masked] = await console_.messages(actor('dlq:read'), DLQ, { ids: ['m-1'] });
    expect(masked!.body).not.toContain('jane');
    expect(masked!.masked).toContain('data.customer.email');
    await expect(console_.messages(actor('dlq:read'), DLQ, {}, { unmask: { reason: 'ticket 42' } })).rejects.toThrow(
      /may not see personal data: it takes the role dlq:unmask/,
    );
    await expect(
      console_.messages(actor('dlq:read', 'dlq:unmask'), DLQ, {}, { unmask: { reason: '' } }),
    ).rejects.toThrow(AccessDeniedError);
    const [shown] = await console_.messages(
      actor('dlq:read', 'dlq:unmask'),
      DLQ,
      { ids: ['m-1'] },
      { unmask: { reason: 'ticket 42: phone format' } },
    );
    expect(shown!.body).toContain('jane@example.com');
    expect(w.entries.at(-1)).toMatchObject({
      action: 'unmask',
      actor: 'someone@example.com',
      count: 1,
      detail: { reason: 'ticket 42: phone format', messages: ['m-1'] },
    });
    await expect(console_.queues({ name: 'nobody', roles: new Set() })).rejects.toThrow(AccessDeniedError);
  });

  it('gives reading to dlq:read alone: another console role does not bring it', async () => {
    const { console_ } = consoleOver([letter(1)]);
    for (const role of ['dlq:purge', 'dlq:export', 'dlq:redrive', 'dlq:unmask', 'dlq:edit:*']) {
      await expect(console_.queues(actor(role))).rejects.toThrow(/it takes the role dlq:read/);
      await expect(console_.messages(actor(role), DLQ, {})).rejects.toThrow(/it takes the role dlq:read/);
      await expect(console_.groups(actor(role), DLQ)).rejects.toThrow(/it takes the role dlq:read/);
    }
  });

  it('tells someone without an edit role nothing of the stage’s DLQs when they try to fix a message', async () => {
    const { console_ } = consoleOver([letter(1)]);
    const attempt = console_.fixAndResend(actor('dlq:read'), 'no-such-dlq', 'm-1', [
      { path: 'currency', value: 'GBP' },
    ]);
    await expect(attempt).rejects.toThrow(AccessDeniedError);
    await expect(attempt).rejects.not.toThrow(new RegExp(DLQ));
  });

  it('dry-runs through the consumer’s checks and the delivery ledger: what would fail again and why, what is delivered already', async () => {
    // Events an hour older than the world's clock (the console's and its dry run's).
    const occurredAt = '2026-11-30T12:00:00.000Z';
    const w = world([
      letter(1, { body: loanApprovedBody({ phone: '+447700900123', occurredAt }) }),
      letter(2, { body: loanApprovedBody({ phone: '+447700900124', id: 'LoanApproved:l-2', occurredAt }) }),
      letter(3, { body: '{"id":"not an envelope"}' }),
    ]);
    // Meta's latest answer is m-1's failure, with nothing accepted since.
    const failure = letter(1).reason;
    const console_ = createDeadLetterConsole({
      ...w.deps,
      deliveries: {
        delivered: async (ids) =>
          new Map(ids.filter((id) => id === 'LoanApproved:l-2').map((id) => [id, new Set(['meta'])])),
        statuses: async () =>
          new Map([['meta', { destination: 'meta', failedAt: w.deps.clock.now() - 60_000, failure }]]),
      },
    });
    const result = await console_.dryRun(actor('dlq:redrive'), await console_.plan(actor('dlq:read'), DLQ));
    expect(result.alreadyDelivered).toEqual({ count: 1, sample: ['m-2'] });
    expect(result.wouldPass).toBe(0);
    expect(result.wouldFail.flatMap((f) => f.sample).sort()).toEqual(['m-1', 'm-3']);
    expect(result.wouldFail.find((f) => f.sample[0] === 'm-3')!.reason).toMatch(/not a valid envelope/);
    expect(result.wouldFail.find((f) => f.sample[0] === 'm-1')!.reason).toMatch(/^meta still fails this way/);
    expect(result.destinations).toEqual([expect.objectContaining({ destination: 'meta' })]);
    expect(w.entries.at(-1)).toMatchObject({
      action: 'dry-run',
      count: 3,
      outcome: '0 would pass, 2 would fail again, 1 delivered already',
    });
  });

  it('lets only a redriver dry-run or redrive', async () => {
    const { console_ } = consoleOver();
    const plan = await console_.plan(actor('dlq:read'), DLQ, {});
    await expect(console_.dryRun(actor('dlq:read'), plan)).rejects.toThrow(/takes the role dlq:redrive/);
    await expect(console_.redrive(actor('dlq:read'), plan, { redriveId: 'r' })).rejects.toThrow(AccessDeniedError);
  });
});

describe('fix and resend', () => {
  it('edits the data, checks it against the contract, sends it back, deletes it from the DLQ, and audits the field names', async () => {
    const { w, console_ } = consoleOver();
    const editor = actor('dlq:read', 'dlq:edit:LoanApproved');
    const result = await console_.fixAndResend(editor, DLQ, 'm-1', [
      { path: 'customer.phone', value: '+447700900123' },
    ]);
    expect(result).toMatchObject({ sent: true, fields: ['data.customer.phone'] });
    expect(w.sent).toHaveLength(1);
    expect(w.sent[0]!.queue).toBe(SOURCE);
    expect(JSON.parse(w.sent[0]!.body)).toMatchObject({
      id: 'LoanApproved:l-1',
      data: { customer: { phone: '+447700900123' } },
    });
    expect(w.inDlq.has('m-1')).toBe(false);
    expect(w.indexed.has('m-1')).toBe(false);
    const entry = w.entries.at(-1)!;
    expect(entry).toMatchObject({
      action: 'fix-and-resend',
      outcome: 'sent',
      detail: { fields: ['data.customer.phone'] },
    });
    expect(JSON.stringify(entry)).not.toContain('900123');
  });

  it('refuses someone who may not edit that type, and an edit the contract refuses, sending nothing', async () => {
    const { w, console_ } = consoleOver();
    await expect(
      console_.fixAndResend(actor('dlq:read', 'dlq:edit:RegistrationCompleted'), DLQ, 'm-1', [
        { path: 'currency', value: 'GBP' },
      ]),
    ).rejects.toThrow(/may not edit LoanApproved messages: it takes the role dlq:edit:LoanApproved/);
    await expect(
      console_.fixAndResend(actor('dlq:edit:*'), DLQ, 'm-1', [{ path: 'currency', value: 'pounds' }]),
    ).rejects.toThrow(/still invalid, so nothing was sent: .*data\.currency.*ISO 4217/);
    expect(w.sent).toEqual([]);
  });

  it('takes field paths only, never prototype tricks', () => {
    const dead = letter(1, { body: body('+447700900123') });
    expect(() => editedBody(dead, [{ path: '__proto__.x', value: 1 }])).toThrow(/is not a field path/);
    expect(() => editedBody(dead, [])).toThrow(/no change given/);
    expect(() => editedBody(dead, [{ path: 'customer.phone.x', value: 1 }])).toThrow(/phone is not an object/);
  });
});

describe('fix and resend, in detail', () => {
  const editor = actor('dlq:read', 'dlq:edit:LoanApproved');
  const phoneFix = [{ path: 'customer.phone', value: '+447700900123' }];

  it('answers an id the index lacks as such to an editor of any type, and learns nothing to anyone else', async () => {
    const { console_ } = consoleOver();
    await expect(
      console_.fixAndResend(actor('dlq:read', 'dlq:edit:RegistrationCompleted'), DLQ, 'm-404', phoneFix),
    ).rejects.toThrow(new Error(`no dead letter m-404 in ${DLQ}'s index (redriven or purged already?)`));
    await expect(console_.fixAndResend(actor('dlq:read', 'dlq:purge'), DLQ, 'm-404', phoneFix)).rejects.toThrow(
      AccessDeniedError,
    );
  });

  it('takes the untyped edit role for a message of no known type', async () => {
    const { console_ } = consoleOver([letter(1, { messageType: undefined, body: '{"id":"x"}' })]);
    await expect(console_.fixAndResend(editor, DLQ, 'm-1', phoneFix)).rejects.toThrow(
      /may not edit untyped messages: it takes the role dlq:edit:\(untyped\)/,
    );
  });

  it('sends under the DLQ lock of its own, for the edit lease, marked with its holder; audited by type and count', async () => {
    const { w, console_ } = consoleOver();
    const send = w.deps.queues.send;
    const heldAtSend: { holder: string; until: number }[] = [];
    w.deps.queues.send = async (queue, message) => {
      heldAtSend.push({ ...w.holders.get(DLQ)! });
      return send(queue, message);
    };
    const result = await console_.fixAndResend(editor, DLQ, 'm-1', phoneFix);
    expect(result).toEqual({ sent: true, newMessageId: 'new-1', fields: ['data.customer.phone'] });
    const [held] = heldAtSend;
    expect(held!.holder).toMatch(/^fix:[0-9a-f-]{36}$/);
    expect(held!.until - w.deps.clock.now()).toBe(EDIT_LEASE_MS);
    expect(w.sent[0]!.attributes[ATTRIBUTE.redriveId]).toBe(held!.holder);
    expect(w.sent[0]).not.toHaveProperty('groupId');
    expect(w.holders.size).toBe(0);
    expect(w.entries.at(-1)).toMatchObject({ target: 'message m-1 (LoanApproved)', count: 1, outcome: 'sent' });
  });

  it('sends a FIFO message back in its group, deduplicated by the fix', async () => {
    const w = world([letter(1, { body: body('07700 900123'), groupId: 'c-1' })], { fifo: true });
    await createDeadLetterConsole(w.deps).fixAndResend(editor, DLQ, 'm-1', phoneFix);
    const [sent] = w.sent;
    expect(sent!.groupId).toBe('c-1');
    expect(sent!.deduplicationId).toBe(
      createHash('sha256').update(sent!.attributes[ATTRIBUTE.redriveId]!).digest('hex'),
    );
  });

  it('says when the message left the DLQ before it was taken: nothing sent, the index cleared, audited as such', async () => {
    const { w, console_ } = consoleOver();
    w.inDlq.delete('m-1');
    expect(await console_.fixAndResend(editor, DLQ, 'm-1', phoneFix)).toEqual({
      sent: false,
      fields: ['data.customer.phone'],
    });
    expect(w.sent).toEqual([]);
    expect(w.indexed.has('m-1')).toBe(false);
    expect(w.entries.at(-1)).toMatchObject({ action: 'fix-and-resend', count: 0, outcome: 'not in the DLQ any more' });
  });
});

describe('export and purge, in detail', () => {
  it('writes JSON lines each ended by a line break, none for nothing, and audits what was asked', async () => {
    const { w, console_ } = consoleOver([letter(1, failedAt(['meta', '400', 'bad'], ['ga4', '500', 'down']))]);
    const exporter = actor('dlq:export');
    const lines = await console_.exportLetters(exporter, DLQ, {}, { format: 'jsonl' });
    expect(lines.text.endsWith('}\n')).toBe(true);
    expect(lines.text.split('\n')).toHaveLength(2);
    expect(await console_.exportLetters(exporter, DLQ, { ids: ['m-9'] }, { format: 'jsonl' })).toEqual({
      text: '',
      count: 0,
      masked: true,
    });
    const csv = await console_.exportLetters(exporter, DLQ, {}, { format: 'csv' });
    expect(csv.text.split('\r\n')[1]).toMatch(/^m-1,LoanApproved,meta\+ga4,permanent,/);
    expect(w.entries.at(-1)).toMatchObject({ action: 'export', target: 'every message', count: 1 });
  });

  it('audits an unmasked export as messages exported', async () => {
    const { w, console_ } = consoleOver();
    await console_.exportLetters(
      actor('dlq:export', 'dlq:unmask'),
      DLQ,
      {},
      { format: 'jsonl', unmask: { reason: 'ticket 9' } },
    );
    expect(w.entries.find((e) => e.action === 'unmask')).toMatchObject({ target: '2 message(s) exported' });
  });

  it('purges under a lock of its own for the edit lease, and says how many had left the DLQ', async () => {
    const { w, console_ } = consoleOver([letter(1), letter(2), letter(3)]);
    const filter = { ids: ['m-1', 'm-2'] };
    const plan = await console_.plan(actor('dlq:read'), DLQ, filter);
    w.inDlq.delete('m-2');
    const remove = w.deps.queues.delete;
    const heldAtDelete: { holder: string; until: number }[] = [];
    w.deps.queues.delete = async (queue, receipt) => {
      heldAtDelete.push({ ...w.holders.get(DLQ)! });
      return remove(queue, receipt);
    };
    expect(await console_.purge(actor('dlq:purge'), DLQ, filter, plan.summary)).toEqual({ deleted: 1, notFound: 1 });
    expect(heldAtDelete[0]!.holder).toMatch(/^purge:[0-9a-f-]{36}$/);
    expect(heldAtDelete[0]!.until - w.deps.clock.now()).toBe(EDIT_LEASE_MS);
    expect(w.entries.at(-1)).toMatchObject({ action: 'purge', count: 1, outcome: 'deleted 1, 1 no longer in the DLQ' });
  });
});

describe('export and purge', () => {
  it('exports masked JSON lines or CSV to an exporter, audited; unmasked only with the right and a reason', async () => {
    const { w, console_ } = consoleOver();
    await expect(console_.exportLetters(actor('dlq:read'), DLQ, {}, { format: 'jsonl' })).rejects.toThrow(
      /takes the role dlq:export/,
    );
    const lines = await console_.exportLetters(actor('dlq:export'), DLQ, {}, { format: 'jsonl' });
    expect(lines).toMatchObject({ count: 2, masked: true });
    expect(lines.text.trim().split('\n')).toHaveLength(2);
    expect(lines.text).not.toContain('jane@example.com');
    const csv = await console_.exportLetters(
      actor('dlq:export', 'dlq:unmask'),
      DLQ,
      {},
      {
        format: 'csv',
        unmask: { reason: 'audit request 7' },
      },
    );
    expect(csv.text.split('\r\n')[0]).toBe(
      'messageId,messageType,destinations,kind,failedAt,receiveCount,sourceQueue,reason,body',
    );
    expect(csv.text).toContain('jane@example.com');
    expect(w.entries.map((e) => [e.action, e.outcome])).toEqual([
      ['export', 'jsonl, masked'],
      ['unmask', 'shown unmasked'],
      ['export', 'csv, unmasked'],
    ]);
  });

  it('writes CSV as RFC 4180 has it', () => {
    expect(toCsv([{ messageId: 'a', reason: 'x, "y"\nz', receiveCount: 2 }])).toBe(
      'messageId,messageType,destinations,kind,failedAt,receiveCount,sourceQueue,reason,body\r\na,,,,,2,,"x, ""y""\nz",\r\n',
    );
  });

  it('writes a value a spreadsheet would run as a formula as text (CSV injection)', () => {
    const csv = toCsv([
      {
        messageId: '=HYPERLINK("http://x")',
        messageType: '@SUM(A1)',
        kind: '+1',
        sourceQueue: '-2',
        reason: '\tx',
        body: '\ry',
      },
    ]);
    const cells = csv.split('\r\n')[1]!;
    expect(cells).toBe('"\'=HYPERLINK(""http://x"")",\'@SUM(A1),,\'+1,,,\'-2,\'\tx,"\'\ry"');
    // Only a value's first character makes a formula: one inside stays as it is.
    expect(toCsv([{ messageId: 'a=b' }]).split('\r\n')[1]).toBe('a=b,,,,,,,,');
  });

  it('purges what a plan selects, for good, with the right, audited; the rest stay', async () => {
    const { w, console_ } = consoleOver([letter(1), letter(2), letter(3)]);
    const filter = { ids: ['m-1', 'm-2'] };
    const plan = await console_.plan(actor('dlq:read'), DLQ, filter);
    await expect(console_.purge(actor('dlq:read', 'dlq:redrive'), DLQ, filter, plan.summary)).rejects.toThrow(
      /takes the role dlq:purge/,
    );
    await expect(console_.purge(actor('dlq:purge'), DLQ, filter, 'what I saw before')).rejects.toThrow(
      StaleConfirmationError,
    );
    expect(await console_.purge(actor('dlq:purge'), DLQ, filter, plan.summary)).toEqual({ deleted: 2, notFound: 0 });
    expect([...w.inDlq.keys()]).toEqual(['m-3']);
    expect([...w.indexed.keys()]).toEqual(['m-3']);
    expect(w.sent).toEqual([]);
    expect(w.entries.at(-1)).toMatchObject({ action: 'purge', count: 2, outcome: 'deleted 2' });
  });
});

describe('a fix or a purge while a redrive of the DLQ runs', () => {
  it('refuses both, saying what to do, changes nothing, and leaves the redrive’s lock to it', async () => {
    const { w, console_ } = consoleOver([letter(1, { body: body('07700 900123') }), letter(2), letter(3)]);
    await w.deps.locks.acquire(DLQ, 'redrive-1', 60_000);
    const editor = actor('dlq:read', 'dlq:edit:LoanApproved');
    await expect(
      console_.fixAndResend(editor, DLQ, 'm-1', [{ path: 'customer.phone', value: '+447700900123' }]),
    ).rejects.toThrow(`a redrive of ${DLQ} is running; fix this message when it has finished`);
    const filter = { ids: ['m-2'] };
    const plan = await console_.plan(actor('dlq:read'), DLQ, filter);
    await expect(console_.purge(actor('dlq:purge'), DLQ, filter, plan.summary)).rejects.toThrow(
      `a redrive of ${DLQ} is running; purge when it has finished`,
    );
    expect(w.sent).toEqual([]);
    expect([...w.inDlq.keys()].sort()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(w.indexed.size).toBe(3);
    expect(w.holders.get(DLQ)?.holder).toBe('redrive-1');
    // Once the redrive has finished, the same purge goes through and lets the lock go.
    await w.deps.locks.release(DLQ, 'redrive-1');
    expect(await console_.purge(actor('dlq:purge'), DLQ, filter, plan.summary)).toEqual({ deleted: 1, notFound: 0 });
    expect(w.holders.size).toBe(0);
  });
});

/** The world's console with a job queue and records in memory. */
function withJobs() {
  const { w } = consoleOver([letter(1), letter(2)]);
  const queued: RedriveRequested[] = [];
  const records = new Map<string, RedriveRecord>();
  const console_ = createDeadLetterConsole({
    ...w.deps,
    jobs: { enqueue: async (job) => void queued.push(job) },
    records: memoryRecords(records),
  });
  return { w, console_, queued, records };
}

describe('redrives asked for through the web API', () => {
  const operator = actor('dlq:read', 'dlq:redrive');

  it('queues a confirmed redrive and its worker runs it, recording the outcome; a stale confirmation is refused', async () => {
    const { w, console_, queued, records } = withJobs();
    const plan = await console_.plan(operator, DLQ, {});
    await expect(
      console_.requestRedrive(operator, DLQ, {}, 'something else', {
        canary: 1,
        canaryWatchSeconds: 0,
        messagesPerSecond: 100,
      }),
    ).rejects.toThrow(StaleConfirmationError);
    const asked = await console_.requestRedrive(operator, DLQ, {}, plan.summary, {
      canary: 1,
      canaryWatchSeconds: 0,
      messagesPerSecond: 100,
    });
    expect(asked).toMatchObject({ state: 'queued', actor: operator.name, summary: plan.summary });
    expect(queued).toHaveLength(1);
    const ran = await console_.runRequestedRedrive(queued[0]!);
    expect(ran).toMatchObject({ state: 'done', progress: { sent: 2 } });
    expect(records.get(asked.redriveId)).toEqual({
      ...ran,
      request: expect.objectContaining({ confirm: plan.summary }),
    });
    expect(w.sent).toHaveLength(2);
    expect(await console_.redriveStatus(actor('dlq:read'), asked.redriveId)).toEqual(ran);
  });

  it('lets the worker refuse a redrive whose plan changed before it ran, and one asked for without the role', async () => {
    const { w, console_, queued } = withJobs();
    const plan = await console_.plan(operator, DLQ, {});
    await console_.requestRedrive(operator, DLQ, {}, plan.summary, {
      canary: 1,
      canaryWatchSeconds: 0,
      messagesPerSecond: 100,
    });
    w.indexed.delete('m-2');
    expect(await console_.runRequestedRedrive(queued[0]!)).toMatchObject({
      state: 'refused',
      because: expect.stringMatching(/^the plan changed before it ran/),
    });
    expect(w.sent).toEqual([]);
    await expect(
      console_.requestRedrive(actor('dlq:read'), DLQ, {}, plan.summary, {
        canary: 1,
        canaryWatchSeconds: 0,
        messagesPerSecond: 1,
      }),
    ).rejects.toThrow(/takes the role dlq:redrive/);
  });

  it('takes a job’s rights from the record the API wrote, never from the job: a forged job runs nothing', async () => {
    const { w, console_, queued, records } = withJobs();
    const plan = await console_.plan(operator, DLQ, {});
    // A job naming no redrive asked for through the API (say, fixed and resent from the jobs DLQ): refused for good.
    await expect(
      console_.runRequestedRedrive({ redriveId: '3f2b8c1e-9d4a-4f6e-8b1a-2c3d4e5f6a7b', dlq: DLQ }),
    ).rejects.toThrow(/no redrive 3f2b8c1e-.* was asked for through the console's API/);
    // A reader's request, recorded with a reader's roles, does not become an operator's because a job says so.
    const asked = await console_.requestRedrive(operator, DLQ, {}, plan.summary, {
      canary: 1,
      canaryWatchSeconds: 0,
      messagesPerSecond: 100,
    });
    expect(queued[0]).toEqual({ redriveId: asked.redriveId, dlq: DLQ });
    const recorded = records.get(asked.redriveId)!;
    records.set(asked.redriveId, { ...recorded, request: { ...recorded.request!, roles: ['dlq:read'] } });
    expect(await console_.runRequestedRedrive(queued[0]!)).toMatchObject({
      state: 'failed',
      because: expect.stringMatching(/dlq:redrive/),
    });
    expect(w.sent).toEqual([]);
    // What the page follows holds no request (nor the roles in it).
    expect(await console_.redriveStatus(actor('dlq:read'), asked.redriveId)).not.toHaveProperty('request');
  });
});

describe('the redrive worker', () => {
  /** A console with a job queue, and records that keep every version the worker wrote. */
  function worker(letters = [letter(1), letter(2), letter(3)]) {
    const { w } = consoleOver(letters);
    const queued: RedriveRequested[] = [];
    const records = new Map<string, RedriveRecord>();
    const written: RedriveRecord[] = [];
    const console_ = createDeadLetterConsole({
      ...w.deps,
      jobs: { enqueue: async (job) => void queued.push(job) },
      records: memoryRecords(records, written),
    });
    return { w, console_, queued, records, written };
  }
  const operator: Actor = { name: 'op@example.com', id: 'user-7', roles: rolesFrom(['dlq:read', 'dlq:redrive']) };
  const ask = async (console_: ReturnType<typeof createDeadLetterConsole>, options = {}) => {
    const plan = await console_.plan(operator, DLQ, {});
    return console_.requestRedrive(operator, DLQ, {}, plan.summary, {
      canary: 1,
      canaryWatchSeconds: 0,
      messagesPerSecond: 100,
      ...options,
    });
  };

  it('is needed to ask for a redrive: a console without one says to redrive from the command line', async () => {
    const { console_ } = consoleOver([letter(1)]);
    const plan = await console_.plan(operator, DLQ, {});
    await expect(
      console_.requestRedrive(operator, DLQ, {}, plan.summary, {
        canary: 1,
        canaryWatchSeconds: 0,
        messagesPerSecond: 1,
      }),
    ).rejects.toThrow(new Error('this console runs no redrive worker: redrive from the command line'));
    expect(await console_.redriveStatus(operator, 'r-1')).toBeUndefined();
  });

  it("runs as the person who asked, by their id, and records the run's progress at most once a second", async () => {
    const { w, console_, queued, written } = worker(Array.from({ length: 22 }, (_, i) => letter(i + 1)));
    const asked = await ask(console_, { messagesPerSecond: 10 });
    expect(written[0]).toMatchObject({ state: 'queued', actor: 'op@example.com', actorId: 'user-7' });
    const started = w.deps.clock.now();
    const ran = await console_.runRequestedRedrive(queued[0]!);
    expect(ran).toMatchObject({ redriveId: asked.redriveId, state: 'done', progress: { sent: 22, stage: 'done' } });
    expect(ran).not.toHaveProperty('because');
    // The canary, then 21 at ten a second: batches of ten a second apart, each reported, at most one record a second.
    expect(w.deps.clock.now() - started).toBeGreaterThanOrEqual(2_000);
    const running = written.filter((r) => r.state === 'running');
    expect(running.length).toBeGreaterThanOrEqual(2);
    for (const r of running) expect(r.progress).toMatchObject({ total: 22 });
    const times = running.map((r) => Date.parse(r.updatedAt));
    times.slice(1).forEach((time, i) => expect(time - times[i]!).toBeGreaterThanOrEqual(1_000));
    const audited = w.entries.filter((e) => e.action === 'redrive');
    expect(audited.at(-1)).toMatchObject({ outcome: 'done', count: 22 });
    for (const entry of audited) expect(entry).toMatchObject({ actor: 'op@example.com', actorId: 'user-7' });
  });

  it('watches the canary for the seconds asked, in seconds', async () => {
    const { w, console_, queued } = worker();
    await ask(console_, { canaryWatchSeconds: 5 });
    const started = w.deps.clock.now();
    await console_.runRequestedRedrive(queued[0]!);
    expect(w.deps.clock.now() - started).toBeGreaterThanOrEqual(5_000);
    expect(w.deps.clock.now() - started).toBeLessThan(10_000);
  });

  it('records a redrive stopped by its canary as stopped, with the reason', async () => {
    const { w, console_, queued } = worker();
    await ask(console_, { canaryWatchSeconds: 2 });
    w.consumeWith(() => 'meta answered 400 (code 100): invalid phone');
    expect(await console_.runRequestedRedrive(queued[0]!)).toMatchObject({
      state: 'stopped',
      because: expect.stringMatching(/^1 of 1 redriven messages failed again/),
    });
  });

  it.each(['done', 'stopped', 'refused'] as const)('runs nothing again for a redrive %s', async (state) => {
    const { w, console_, queued, records } = worker();
    const asked = await ask(console_);
    records.set(asked.redriveId, { ...records.get(asked.redriveId)!, state });
    expect(await console_.runRequestedRedrive(queued[0]!)).toMatchObject({ state });
    expect(w.sent).toEqual([]);
  });

  it('records a failure it cannot explain as failed, and throws it for the job to be retried', async () => {
    const { w, console_, queued, records } = worker();
    const asked = await ask(console_);
    w.deps.index.page = async () => {
      throw new Error('index unavailable');
    };
    await expect(console_.runRequestedRedrive(queued[0]!)).rejects.toThrow('index unavailable');
    expect(records.get(asked.redriveId)).toMatchObject({ state: 'failed', because: 'index unavailable' });
  });
});

describe('cancelling a redrive asked for through the API', () => {
  it('keeps a queued one from running, audited, and leaves a finished one as it ended', async () => {
    const { w, console_, queued } = withJobs();
    const operator = actor('dlq:read', 'dlq:redrive');
    const plan = await console_.plan(operator, DLQ);
    const asked = await console_.requestRedrive(operator, DLQ, {}, plan.summary, { canary: 1, messagesPerSecond: 10 });
    await expect(console_.cancelRedrive(actor('dlq:read'), asked.redriveId)).rejects.toThrow(/dlq:redrive/);
    expect(await console_.cancelRedrive(operator, asked.redriveId)).toMatchObject({ state: 'queued' });
    expect(w.entries.at(-1)).toMatchObject({ action: 'redrive', outcome: 'cancel asked while queued' });
    expect(await console_.runRequestedRedrive(queued[0]!)).toMatchObject({
      state: 'stopped',
      // Who cancelled is in the audit trail; the record, which anyone who may read sees, masks the address.
      because: 'cancelled by <email> before it began',
    });
    expect(w.sent).toEqual([]);
    expect(await console_.cancelRedrive(operator, asked.redriveId)).toMatchObject({ state: 'stopped' });
    expect(await console_.cancelRedrive(operator, '00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('lists the redrives newest first for anyone who may read, without what was asked (filters, roles)', async () => {
    const { w, console_ } = withJobs();
    const operator = actor('dlq:read', 'dlq:redrive');
    const plan = await console_.plan(operator, DLQ);
    const first = await console_.requestRedrive(operator, DLQ, {}, plan.summary, { canary: 1, messagesPerSecond: 10 });
    await w.deps.clock.sleep(1_000);
    const second = await console_.requestRedrive(operator, DLQ, {}, plan.summary, { canary: 1, messagesPerSecond: 10 });
    const listed = await console_.redrives(actor('dlq:read'));
    expect(listed.map((r) => r.redriveId)).toEqual([second.redriveId, first.redriveId]);
    expect(listed.every((r) => r.request === undefined && r.actor === 'someone@example.com')).toBe(true);
    await expect(console_.redrives(actor())).rejects.toThrow(/dlq:read/);
  });
});

describe('what each refusal says', () => {
  it('names the operation and the role it takes, for every operation of the console', async () => {
    const { console_ } = consoleOver([letter(1)]);
    const nobody: Actor = { name: 'nobody@example.com', roles: new Set() };
    const reader = actor('dlq:read');
    const shown = await console_.plan(reader, DLQ, {});
    const refusals: [Promise<unknown>, string, string][] = [
      [console_.queues(nobody), 'see the DLQs', 'dlq:read'],
      [console_.messages(nobody, DLQ), 'see dead letters', 'dlq:read'],
      [console_.groups(nobody, DLQ), 'see dead letters', 'dlq:read'],
      [console_.plan(nobody, DLQ), 'see dead letters', 'dlq:read'],
      [console_.dryRun(reader, shown), 'dry-run a redrive', 'dlq:redrive'],
      [console_.dryRunOf(reader, DLQ, {}), 'dry-run a redrive', 'dlq:redrive'],
      [console_.dryRunOf(actor('dlq:redrive'), DLQ, {}), 'see dead letters', 'dlq:read'],
      [console_.audit(nobody, { days: 1, limit: 10 }), 'see the audit trail', 'dlq:read'],
      [console_.messages(reader, DLQ, {}, { unmask: { reason: 'why' } }), 'see personal data', 'dlq:unmask'],
      [console_.exportLetters(reader, DLQ, {}, { format: 'csv' }), 'export dead letters', 'dlq:export'],
      [console_.purge(reader, DLQ, {}, shown.summary), 'purge dead letters', 'dlq:purge'],
      [console_.fixAndResend(reader, DLQ, 'm-404', []), 'fix and resend dead letters', 'dlq:edit:*'],
      [console_.fixAndResend(reader, DLQ, 'm-1', []), 'edit LoanApproved messages', 'dlq:edit:LoanApproved'],
      [console_.redrive(reader, shown, { redriveId: 'r-1' }), 'redrive', 'dlq:redrive'],
      [console_.redriveStatus(nobody, 'r-1'), 'follow a redrive', 'dlq:read'],
    ];
    for (const [attempt, doing, role] of refusals) {
      const who = (await attempt.catch((e: unknown) => e)) as Error;
      expect(who).toBeInstanceOf(AccessDeniedError);
      expect(who.message).toMatch(new RegExp(`^\\S+ may not ${doing}: it takes the role ${role.replace('*', '\\*')},`));
    }
  });

  it('says a DLQ is busy, and what changed since a plan was confirmed, in words', () => {
    expect(busy('the-dlq', 'purge')).toBe('a redrive of the-dlq is running; purge when it has finished');
    const stale = new StaleConfirmationError({} as never);
    expect(stale.name).toBe('StaleConfirmationError');
    expect(stale.message).toBe(
      'what the filter selects has changed since it was confirmed; look at the new plan and confirm it',
    );
  });
});

describe('the console core: looking up, selecting, unmasking', () => {
  it('names the stage’s DLQs when asked for one that is not there', async () => {
    const { console_ } = consoleOver([letter(1)]);
    await expect(console_.messages(actor('dlq:read'), 'no-such-dlq')).rejects.toThrow(
      `no DLQ named no-such-dlq; the stage's DLQs are: ${DLQ}`,
    );
  });

  it('lists newest first, and unmasks only with a reason of a few words (after trimming), audited with what was shown', async () => {
    const letters = Array.from({ length: 25 }, (_, i) =>
      letter(i + 1, { body: body(`+4477009001${String(i).padStart(2, '0')}`) }),
    );
    const { w, console_ } = consoleOver(letters);
    const unmasker = actor('dlq:read', 'dlq:unmask');
    const listed = await console_.messages(actor('dlq:read'), DLQ);
    expect(listed.map((l) => l.messageId).slice(0, 3)).toEqual(['m-25', 'm-24', 'm-23']);
    await expect(console_.messages(unmasker, DLQ, {}, { unmask: { reason: '  abcd  ' } })).rejects.toThrow(
      'unmasking needs a reason (a few words: the ticket, the fix being made)',
    );
    await console_.messages(unmasker, DLQ, {}, { unmask: { reason: 'abcde' } });
    expect(w.entries.at(-1)).toMatchObject({
      action: 'unmask',
      target: '25 message(s) looked at',
      count: 25,
      outcome: 'shown unmasked',
      detail: { reason: 'abcde', messages: listed.slice(0, 20).map((l) => l.messageId) },
    });
    await console_.messages(unmasker, DLQ, { search: '+447700900124' }, { unmask: { reason: 'ticket 7' } });
    expect(w.entries.at(-1)).toMatchObject({ target: '1 message(s) looked at, found by a body search', count: 1 });
    // Masked, the search sees only what the caller sees: the number is not there to be found.
    expect(await console_.messages(actor('dlq:read'), DLQ, { search: '+447700900124' })).toEqual([]);
  });
});
