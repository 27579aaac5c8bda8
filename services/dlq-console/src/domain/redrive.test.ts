import { ATTRIBUTE } from '@backbone/shared';
import { DLQ, failedAt, letter, SOURCE, world } from './dead-letters.fixtures';
import { rolesFrom } from './access';
import { createDeadLetterConsole } from './console';
import {
  canaryWatchSecondsFor,
  DEFAULT_REDRIVE_OPTIONS,
  executeRedrive,
  outgoingMessage,
  planRedrive,
  RedriveRefusedError,
} from './redrive';

const options = (overrides = {}) => ({
  ...DEFAULT_REDRIVE_OPTIONS,
  actor: 'ops@example',
  redriveId: 'rd-1',
  canaryWatchMs: 5_000,
  ...overrides,
});

describe('planning a redrive', () => {
  it('counts what a filter selects, by source and type, with a sample and a sentence to confirm; nothing moves', async () => {
    const w = world([letter(1), letter(2), letter(3, failedAt(['ga4', '500', 'x']))]);
    const plan = await planRedrive(w.deps.index, w.dlq(), { destination: 'meta' });
    expect(plan.selected.map((l) => l.messageId)).toEqual(['m-1', 'm-2']);
    expect(plan.bySource).toEqual({ [SOURCE]: 2 });
    expect(plan.byType).toEqual({ LoanApproved: 2 });
    expect(plan.summary).toBe(`2 messages of ${DLQ} (destination meta) back to ${SOURCE} (2)`);
    expect(w.sent).toEqual([]);
    expect(w.inDlq.size).toBe(3);
  });

  it('on a FIFO DLQ, takes the earlier messages of a chosen message’s group with it, and says so', async () => {
    const w = world(
      [
        letter(1, { groupId: 'g' }),
        letter(2, { groupId: 'g' }),
        letter(3, { groupId: 'g' }),
        letter(4, { groupId: 'h' }),
      ],
      { fifo: true },
    );
    const plan = await planRedrive(w.deps.index, w.dlq(), { ids: ['m-2'] });
    expect(plan.selected.map((l) => l.messageId)).toEqual(['m-1', 'm-2']);
    expect(plan.addedForOrder).toBe(1);
    expect(plan.addedForOrderIds).toEqual(['m-1']);
    expect(plan.summary).toContain('and 1 earlier in their FIFO groups');
  });
});

describe('executing a redrive', () => {
  it('sends each chosen message back (its attributes, not the failure’s, marked with the redrive) and deletes it after; the others stay', async () => {
    const w = world(
      Array.from({ length: 30 }, (_, n) => letter(n, { attributes: { [ATTRIBUTE.type]: 'LoanApproved' } })),
    );
    const plan = await planRedrive(w.deps.index, w.dlq(), { ids: Array.from({ length: 20 }, (_, n) => `m-${n}`) });
    const seen: string[] = [];
    const outcome = await executeRedrive(plan, options(), w.deps, (p) => seen.push(p.stage));
    expect(outcome).toMatchObject({ stage: 'done', sent: 20, failedAgain: 0, notFound: 0 });
    // The plan holds no bodies (a plan of 100,000 would): what is sent is what the DLQ held.
    expect(plan.selected.every((l) => l.body === undefined)).toBe(true);
    expect(w.sent.map((m) => m.body).sort()).toEqual(Array.from({ length: 20 }, (_, n) => letter(n).body).sort());
    expect(w.sent.every((m) => m.queue === SOURCE)).toBe(true);
    expect(w.sent[0]!.attributes).toEqual({ [ATTRIBUTE.type]: 'LoanApproved', [ATTRIBUTE.redriveId]: 'rd-1' });
    expect([...w.inDlq.keys()].sort()).toEqual(Array.from({ length: 10 }, (_, n) => `m-${n + 20}`).sort());
    expect(w.indexed.size).toBe(10);
    expect(seen).toEqual(expect.arrayContaining(['canary', 'watching canary', 'rest', 'done']));
    expect(w.entries.map((e) => [e.action, e.outcome, e.count])).toEqual([
      ['redrive', 'started', 20],
      ['redrive', 'done', 20],
    ]);
    expect(w.holders.size).toBe(0);
  });

  it('stops by itself when the canary fails again, leaving the rest in the DLQ', async () => {
    const w = world(Array.from({ length: 20 }, (_, n) => letter(n)));
    w.consumeWith(() => 'meta answered 400 (code 100): invalid phone');
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const outcome = await executeRedrive(plan, options({ canary: 3 }), w.deps);
    expect(outcome.stage).toBe('stopped');
    expect(outcome.sent).toBe(3);
    expect(outcome.failedAgain).toBe(3);
    expect(outcome.stoppedBecause).toMatch(/^3 of 3 redriven messages failed again \(meta answered 400/);
    expect(outcome.failedAgainReasons).toEqual({ 'meta answered 400 (code 100): invalid phone': 3 });
    // 17 never sent, and the 3 that came back: all in the DLQ.
    expect(w.inDlq.size).toBe(20);
    expect(w.entries.at(-1)!.outcome).toMatch(/^stopped: 3 of 3/);
  });

  it('stops the rest when they start failing again after a good canary', async () => {
    const w = world(Array.from({ length: 100 }, (_, n) => letter(n)));
    let calls = 0;
    w.consumeWith(() => (++calls > 40 ? 'meta answered 503: down' : undefined));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    // 20 messages/s: the failures are checked every 2 s of sending.
    const outcome = await executeRedrive(plan, options({ messagesPerSecond: 20 }), w.deps);
    expect(outcome.stage).toBe('stopped');
    // The world's clock moves only when something sleeps, so the run is the same every time: 40 delivered (the canary
    // and 35 more), then every one fails; the first check that sees them back (every 2 s of sending, 40 messages at
    // 20/s) stops the rest, once the rounds the four workers had begun are sent.
    expect(outcome).toMatchObject({ sent: 85, failedAgain: 45 });
    expect(outcome.stoppedBecause).toBe('45 of 85 redriven messages failed again (meta answered 503: down)');
    // 15 never sent and the 45 that came back: all in the DLQ; the 40 delivered are not.
    expect(w.inDlq.size).toBe(60);
  });

  it('stops when its lock is lost (another took over after it stalled), leaving the other’s lock and the rest', async () => {
    const w = world(Array.from({ length: 100 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    // After the 30th send, this redrive's lease is taken by another (as if this one had stalled past it).
    w.consumeWith(() => {
      if (w.sent.length === 30) w.holders.set(DLQ, { holder: 'rd-2', until: Number.MAX_SAFE_INTEGER });
      return undefined;
    });
    const outcome = await executeRedrive(plan, options({ lockLeaseMs: 3_000, messagesPerSecond: 10 }), w.deps);
    expect(outcome.stage).toBe('stopped');
    expect(outcome.stoppedBecause).toBe('the redrive lock was lost (another redrive took over after this one stalled)');
    // It stops at its next renewal: no more than the rounds already under way (four workers, ten each) after it.
    expect(outcome.sent).toBeGreaterThanOrEqual(30);
    expect(outcome.sent).toBeLessThanOrEqual(70);
    expect(w.sent).toHaveLength(outcome.sent);
    // Nothing lost: every message is either sent or still in the DLQ, and the other's lock is left alone.
    expect(w.inDlq.size).toBe(100 - outcome.sent);
    expect(w.holders.get(DLQ)?.holder).toBe('rd-2');
    expect(w.entries.at(-1)!.outcome).toMatch(/^stopped: the redrive lock was lost/);
  });

  it('keeps a message SQS would not take in the DLQ and sends it in a later round: none lost, none twice', async () => {
    const w = world(Array.from({ length: 25 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const { sendBatch } = w.deps.queues;
    let refused = 0;
    w.deps.queues.sendBatch = async (queue, messages) => {
      const results = messages.length > 1 ? await sendBatch(queue, messages.slice(1)) : [];
      // The first entry of the first two batches fails (throttled), the others of those batches are sent.
      if (refused < 2) {
        refused++;
        return [{ error: 'ThrottlingException: try again' }, ...results] as Awaited<ReturnType<typeof sendBatch>>;
      }
      return [...(await sendBatch(queue, messages.slice(0, 1))), ...results];
    };
    const outcome = await executeRedrive(plan, options(), w.deps);
    expect(outcome).toMatchObject({ stage: 'done', sent: 25, notFound: 0 });
    const bodies = w.sent.map((m) => m.body);
    expect(new Set(bodies).size).toBe(25);
    expect(bodies.sort()).toEqual(Array.from({ length: 25 }, (_, n) => letter(n).body).sort());
    expect(w.inDlq.size).toBe(0);
  });

  it('sends the rest at the rate asked for, and the canary at once', async () => {
    const w = world(Array.from({ length: 105 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const sentAt: number[] = [];
    w.consumeWith(() => void sentAt.push(w.deps.clock.now()));
    const began = w.deps.clock.now();
    // One worker: the world's clock jumps forward at each sleep, which stamps the sends of workers sleeping side by side
    // at the latest one's time; the workers share one schedule (nextSendAt), so one shows its arithmetic.
    await executeRedrive(plan, options({ canary: 5, canaryWatchMs: 5_000, messagesPerSecond: 20, workers: 1 }), w.deps);
    // The canary of five at the start, then five seconds watched.
    expect(sentAt.slice(0, 5).every((at) => at === began)).toBe(true);
    const rest = sentAt.slice(5);
    expect(rest).toHaveLength(100);
    expect(rest[0]).toBe(began + 5_000);
    // 100 at 20 a second: the last batch of ten leaves 4.5 s after the first (each waits its ten's half second).
    expect(rest.at(-1)! - rest[0]!).toBe(4_500);
    // Never more than one batch (ten) ahead of the rate in any second.
    for (const at of rest) expect(rest.filter((t) => t >= at && t < at + 1_000).length).toBeLessThanOrEqual(20 + 10);
  });

  it.each([
    // atLeast 3, share 0.5: stops once 3 have come back and they are half of those sent.
    [6, 3, 'stopped'],
    [6, 2, 'done'],
    [8, 3, 'done'],
  ])('with %i sent and %i back, against at least 3 and half, is %s', async (sent, back, stage) => {
    const w = world(Array.from({ length: sent }, (_, n) => letter(n)));
    let calls = 0;
    w.consumeWith(() => (++calls <= back ? 'meta answered 400: bad' : undefined));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const outcome = await executeRedrive(
      plan,
      options({ canary: sent, stopWhenFailedAgain: { atLeast: 3, share: 0.5 } }),
      w.deps,
    );
    expect(outcome).toMatchObject({ stage, sent, failedAgain: back });
  });

  it('holds the DLQ’s lock under its own id while it runs, renewed before it lapses, and audits who and what', async () => {
    const w = world(Array.from({ length: 60 }, (_, n) => letter(n, { messageType: 'LoanApproved' })));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const held: { holder: string; left: number }[] = [];
    w.consumeWith(() => {
      const lock = w.holders.get(DLQ)!;
      held.push({ holder: lock.holder, left: lock.until - w.deps.clock.now() });
      return undefined;
    });
    // Ten messages at 5 a second: each round waits 2 s for the rate's leave, longer than the 1.2 s lease. (One worker:
    // the world's clock jumps at every sleep, which side-by-side workers would add up.)
    const outcome = await executeRedrive(
      plan,
      options({ lockLeaseMs: 1_200, messagesPerSecond: 5, actorId: 'sub-123', canaryWatchMs: 1_000, workers: 1 }),
      w.deps,
    );
    expect(outcome.stage).toBe('done');
    expect(new Set(held.map((h) => h.holder))).toEqual(new Set(['rd-1']));
    // Never lapsed when a message was sent: renewed after each wait.
    expect(Math.min(...held.map((h) => h.left))).toBeGreaterThan(0);
    expect(w.entries.map((e) => [e.outcome, e.actorId, e.detail])).toEqual([
      ['started', 'sub-123', { redriveId: 'rd-1', canary: 5, messagesPerSecond: 5 }],
      ['done', 'sub-123', { redriveId: 'rd-1', sent: 60, failedAgain: 0, notFound: 0, alreadyDelivered: 0 }],
    ]);
  });

  it('refuses while another redrive of the same DLQ holds its lock, and says what to do', async () => {
    const w = world([letter(1)]);
    await w.deps.locks.acquire(DLQ, 'someone-else', 60_000);
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    await expect(executeRedrive(plan, options(), w.deps)).rejects.toThrow(RedriveRefusedError);
    await expect(executeRedrive(plan, options(), w.deps)).rejects.toMatchObject({ name: 'RedriveRefusedError' });
    await expect(executeRedrive(plan, options(), w.deps)).rejects.toThrow(/another redrive of .* is running/);
    expect(w.sent).toEqual([]);
  });

  it('reports what is no longer in the DLQ and drops it from the index', async () => {
    const w = world([letter(1), letter(2)]);
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    w.inDlq.delete('m-2');
    const outcome = await executeRedrive(plan, options(), w.deps);
    expect(outcome).toMatchObject({ stage: 'done', sent: 1, notFound: 1 });
    expect(w.indexed.size).toBe(0);
  });

  it('removes what the ledger shows delivered since without sending it, counted apart and audited', async () => {
    const w = world(Array.from({ length: 12 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const outcome = await executeRedrive(
      plan,
      options({ canary: 2, alreadyDelivered: new Set(['m-0', 'm-5', 'm-11']) }),
      w.deps,
    );
    expect(outcome).toMatchObject({ stage: 'done', sent: 9, alreadyDelivered: 3, notFound: 0 });
    expect(w.sent.map((m) => m.body)).not.toEqual(expect.arrayContaining(['{"id":"e-0"}']));
    expect(w.sent.map((m) => m.body)).not.toEqual(expect.arrayContaining(['{"id":"e-5"}']));
    expect(w.inDlq.size).toBe(0);
    expect(w.indexed.size).toBe(0);
    expect(w.entries.at(-1)).toMatchObject({ outcome: 'done', count: 9, detail: { alreadyDelivered: 3 } });
  });

  it('keeps a FIFO group in order, with its group id and a fresh deduplication id that a rerun repeats', async () => {
    const w = world(
      [
        letter(1, { groupId: 'g' }),
        letter(2, { groupId: 'h' }),
        letter(3, { groupId: 'g' }),
        letter(4, { groupId: 'g' }),
      ],
      { fifo: true },
    );
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    await executeRedrive(plan, options({ canary: 1 }), w.deps);
    const g = w.sent.filter((m) => m.groupId === 'g');
    expect(g.map((m) => m.body)).toEqual(['{"id":"e-1"}', '{"id":"e-3"}', '{"id":"e-4"}']);
    expect(new Set(w.sent.map((m) => m.deduplicationId)).size).toBe(4);
    const received = { messageId: 'm-1', receiptHandle: 'r', body: 'b', attributes: {}, receiveCount: 1, groupId: 'g' };
    expect(outgoingMessage(received, letter(1), 'rd-1').deduplicationId).toBe(w.sent[0]!.deduplicationId);
    expect(outgoingMessage(received, letter(1), 'rd-2').deduplicationId).not.toBe(w.sent[0]!.deduplicationId);
  });

  it('keeps a fixed message’s resend mark when it goes back again, and adds none to one without it', () => {
    const received = (attributes: Record<string, string>) => ({
      messageId: 'm-1',
      receiptHandle: 'r',
      body: 'b',
      attributes,
      receiveCount: 1,
    });
    expect(outgoingMessage(received({ [ATTRIBUTE.resend]: 'fix:1' }), letter(1), 'rd-1').attributes).toEqual({
      [ATTRIBUTE.resend]: 'fix:1',
      [ATTRIBUTE.redriveId]: 'rd-1',
    });
    expect(outgoingMessage(received({}), letter(1), 'rd-1').attributes).toEqual({ [ATTRIBUTE.redriveId]: 'rd-1' });
  });
});

describe('how long a canary is watched', () => {
  it('is long enough for a failure to come back through its source’s retries, with a margin, and ten minutes at most', () => {
    expect(canaryWatchSecondsFor({ retryWindowSeconds: 95 })).toBe(125);
    expect(canaryWatchSecondsFor({ retryWindowSeconds: 0 })).toBe(30);
    expect(canaryWatchSecondsFor({ retryWindowSeconds: 3_600 })).toBe(600);
  });

  it('is what a plan proposes, and what a redrive watches unless told otherwise', async () => {
    const w = world(Array.from({ length: 3 }, (_, n) => letter(n)));
    const console_ = createDeadLetterConsole(w.deps);
    const ops = { name: 'ops@example.com', roles: rolesFrom(['dlq:read', 'dlq:redrive']) };
    const plan = await console_.plan(ops, DLQ);
    // The world's DLQ: a retry window of 30 s.
    expect(plan.canaryWatchSeconds).toBe(60);
    const began = w.deps.clock.now();
    const watched: number[] = [];
    await console_.redrive(ops, plan, { redriveId: 'rd-watch', canary: 1 }, (p) => {
      if (p.stage === 'rest' && watched.length === 0) watched.push(w.deps.clock.now() - began);
    });
    expect(watched[0]).toBeGreaterThanOrEqual(60_000);
    expect(watched[0]).toBeLessThan(65_000);
  });
});

describe('a redrive cancelled', () => {
  it('stops at its next check: what was sent stays sent, the rest stays in the DLQ, and the counts add up', async () => {
    const w = world(Array.from({ length: 100 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    // Cancelled once 30 have gone (the canary of 5 and 25 more).
    const outcome = await executeRedrive(
      plan,
      options({
        messagesPerSecond: 20,
        cancelledBy: async () => (w.sent.length >= 30 ? 'ops@example.com' : undefined),
      }),
      w.deps,
    );
    expect(outcome).toMatchObject({ stage: 'stopped', stoppedBecause: 'cancelled by ops@example.com' });
    expect(outcome.sent).toBeGreaterThanOrEqual(30);
    expect(outcome.sent).toBeLessThan(100);
    expect(w.sent).toHaveLength(outcome.sent);
    expect(w.inDlq.size + outcome.sent).toBe(100);
    expect(w.entries.at(-1)!.outcome).toBe('stopped: cancelled by ops@example.com');
  });

  it('sends nothing more once cancelled, not even what its workers had already taken from the DLQ', async () => {
    const w = world(Array.from({ length: 40 }, (_, n) => letter(n)));
    const plan = await planRedrive(w.deps.index, w.dlq(), {});
    const began = w.deps.clock.now();
    // At 4 a second the four workers take all 40 in their first rounds, then wait their turn to send: the cancel
    // comes 3 s in, while most are taken and unsent.
    const outcome = await executeRedrive(
      plan,
      options({
        canary: 1,
        canaryWatchMs: 0,
        messagesPerSecond: 4,
        cancelledBy: async () => (w.deps.clock.now() - began >= 3_000 ? 'ops@example.com' : undefined),
      }),
      w.deps,
    );
    expect(outcome.stoppedBecause).toBe('cancelled by ops@example.com');
    expect(outcome.sent).toBeLessThan(20);
    expect(w.sent).toHaveLength(outcome.sent);
    expect(w.inDlq.size + outcome.sent).toBe(40);
  });
});
