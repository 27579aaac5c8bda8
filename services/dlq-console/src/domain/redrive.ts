/**
 * Redriving dead letters back to the queues they failed on: planned from the index (redrive-plan.ts: a count and a
 * sample before anything moves), staged (a canary first, then the rest at a rate), stopped on its own when redriven
 * messages fail again, one operator at a time per DLQ, and crash-safe (each message is sent before it is deleted from
 * the DLQ: a crash in between leaves it in both, and the consumers' idempotency absorbs the repeat when it is
 * redriven again).
 */
import { createHash } from 'node:crypto';
import { ATTRIBUTE, ownAttributes } from '@backbone/shared';
import { DlqWalk } from './dlq-walk';
import { normaliseReason, type DeadLetter } from './dead-letters';
import type { AuditTrail, DeadLetterIndex, OutgoingMessage, QueuePort, ReceivedMessage, RedriveLocks } from './ports';
import type { RedrivePlan } from './redrive-plan';

export { canaryWatchSecondsFor, MAX_CANARY_WATCH_SECONDS, planRedrive, type RedrivePlan } from './redrive-plan';

export interface RedriveOptions {
  /** Who runs it, as the audit trail names them (see auditedActor). */
  actor: string;
  actorId?: string;
  /** Identifies this redrive on every message it sends (attribute redrive.id) and in the audit trail. */
  redriveId: string;
  /** How many go first, alone, before the rest. */
  canary: number;
  /** How long the canary's results are watched before the rest go. */
  canaryWatchMs: number;
  /** The rest's pace. */
  messagesPerSecond: number;
  /** Stop when at least this many redriven messages failed again and they are at least this share of those sent. */
  stopWhenFailedAgain: { atLeast: number; share: number };
  /** How long a received message stays hidden from others while this redrive holds it. */
  visibilitySeconds: number;
  /** The DLQ's redrive lock lasts this long, renewed while the redrive runs. */
  lockLeaseMs: number;
  /** Receive-send-delete loops at once after the canary (each round moves up to 10 messages in 3 calls). */
  workers: number;
  /**
   * Selected messages whose events the delivery ledger shows delivered since, everywhere they had failed: deleted from
   * the DLQ without being sent (a send would deliver nothing), and counted apart.
   */
  alreadyDelivered?: ReadonlySet<string>;
  /**
   * Who cancelled it, if someone has (asked with each check for failures, every second or two): it then stops as it
   * stops for any cause, what was sent staying sent and the rest in the DLQ.
   */
  cancelledBy?: () => Promise<string | undefined>;
}

export const DEFAULT_REDRIVE_OPTIONS: Omit<RedriveOptions, 'actor' | 'redriveId'> = {
  canary: 5,
  canaryWatchMs: 15_000,
  messagesPerSecond: 500,
  stopWhenFailedAgain: { atLeast: 1, share: 0.1 },
  visibilitySeconds: 60,
  lockLeaseMs: 60_000,
  workers: 4,
};

export type RedriveStage = 'canary' | 'watching canary' | 'rest' | 'done' | 'stopped';

export interface RedriveProgress {
  stage: RedriveStage;
  total: number;
  sent: number;
  /** Redriven messages that came back to the DLQ. */
  failedAgain: number;
  /** Selected but no longer in the DLQ (moved or deleted by someone else meanwhile). */
  notFound: number;
  /** Removed without being sent: delivered since, everywhere they had failed. */
  alreadyDelivered: number;
}

export interface RedriveOutcome extends RedriveProgress {
  /** Why it stopped before the end (failures again, the lock lost). */
  stoppedBecause?: string;
  /** What came back, grouped by reason. */
  failedAgainReasons: Record<string, number>;
}

export interface RedriveDependencies {
  queues: QueuePort;
  index: DeadLetterIndex;
  locks: RedriveLocks;
  audit: AuditTrail;
  clock?: Clock;
}

/** The time, and a wait: the system's, or a test's that moves only when something waits. */
export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export class RedriveRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedriveRefusedError';
  }
}

/** The message to send back: its body and own attributes, marked as redriven; FIFO: its group, a fresh dedup id. */
export function outgoingMessage(received: ReceivedMessage, letter: DeadLetter, redriveId: string): OutgoingMessage {
  const attributes: Record<string, string> = {
    ...ownAttributes(received.attributes),
    [ATTRIBUTE.redriveId]: redriveId,
  };
  if (received.attributes[ATTRIBUTE.resend]) attributes[ATTRIBUTE.resend] = received.attributes[ATTRIBUTE.resend]!;
  const groupId = received.groupId ?? letter.groupId;
  return {
    body: received.body,
    attributes,
    ...(groupId
      ? {
          groupId,
          // Fresh for this redrive (the original's id would be dropped as a duplicate within five minutes), and the
          // same for this redrive run again after a crash (so a repeat within five minutes is dropped).
          deduplicationId: createHash('sha256').update(`${redriveId}:${received.messageId}`).digest('hex'),
        }
      : {}),
  };
}

/**
 * Moves the plan's messages back to their source queues. Receives from the DLQ in batches, sends each selected
 * message, then deletes it; releases what it did not select at once. Stops when the rest cannot be found, when
 * redriven messages fail again (see stopWhenFailedAgain), or when the lock is lost.
 */
export async function executeRedrive(
  plan: RedrivePlan,
  options: RedriveOptions,
  dependencies: RedriveDependencies,
  onProgress: (progress: RedriveProgress) => void = () => undefined,
): Promise<RedriveOutcome> {
  const clock = dependencies.clock ?? {
    now: () => Date.now(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  const dlq = plan.dlq.name;
  return holdingLock(
    dependencies.locks,
    dlq,
    { holder: options.redriveId, leaseMs: options.lockLeaseMs },
    `another redrive of ${dlq} is running; wait for it to finish (npm run dlq -- audit shows who started it)`,
    () => new RedriveRun(plan, options, dependencies, clock, onProgress).run(),
  );
}

type Chosen = { received: ReceivedMessage; letter: DeadLetter };

/**
 * executeRedrive's work, under the DLQ's lock: the canary alone and watched, then the rest by a few workers at the
 * rate, each round receiving, sending back what it chose and releasing the rest; audited when it starts and ends.
 */
class RedriveRun {
  private readonly dlq: string;
  private readonly pending: Map<string, DeadLetter>;
  /** The new message id in the source queue -> the dead letter it came from. */
  private readonly sent = new Map<string, string>();
  /** Dead letters removed without a send (delivered already). */
  private readonly settled: string[] = [];
  private readonly failedAgainReasons: Record<string, number> = {};
  private readonly progress: RedriveProgress;
  /** Shared by the workers: once the DLQ is seen through, what is left is not in it any more. */
  private readonly walk: DlqWalk;
  private stoppedBecause: string | undefined;
  /** Another holder has the DLQ's lock: nothing more may be sent, not even what a round has chosen. */
  private lockLost = false;
  /** Someone cancelled it: likewise, nothing more is sent. */
  private cancelled = false;
  private cancelCheckedAt = 0;
  private lockRenewedAt: number;
  private nextSendAt: number;
  private lastCheckAt: number;
  private readonly startedAt: number;

  constructor(
    private readonly plan: RedrivePlan,
    private readonly options: RedriveOptions,
    private readonly dependencies: RedriveDependencies,
    private readonly clock: Clock,
    private readonly onProgress: (progress: RedriveProgress) => void,
  ) {
    this.dlq = plan.dlq.name;
    this.pending = new Map(plan.selected.map((letter) => [letter.messageId, letter]));
    this.progress = {
      stage: 'canary',
      total: plan.selected.length,
      sent: 0,
      failedAgain: 0,
      notFound: 0,
      alreadyDelivered: 0,
    };
    this.walk = new DlqWalk(plan.dlq);
    this.lockRenewedAt = this.nextSendAt = this.lastCheckAt = this.startedAt = clock.now();
  }

  async run(): Promise<RedriveOutcome> {
    await this.audit('started', this.plan.selected.length, {
      canary: this.options.canary,
      messagesPerSecond: this.options.messagesPerSecond,
    });
    try {
      await this.canary();
      this.progress.stage = 'rest';
      if (this.goingOn()) await Promise.all(Array.from({ length: this.options.workers }, () => this.worker()));
      return await this.finish();
    } finally {
      const { stoppedBecause, progress } = this;
      await this.audit(
        stoppedBecause ? `stopped: ${stoppedBecause}` : progress.stage === 'done' ? 'done' : 'failed',
        this.sent.size,
        {
          sent: this.sent.size,
          failedAgain: progress.failedAgain,
          notFound: progress.notFound,
          alreadyDelivered: this.settled.length,
        },
      );
    }
  }

  private goingOn = (): boolean => this.pending.size > 0 && !this.stoppedBecause;

  /** The canary: alone, one worker, then watched. */
  private async canary(): Promise<void> {
    while (this.goingOn() && this.sent.size < this.options.canary) {
      await this.renewLock();
      const received = await this.round(this.options.canary - this.sent.size);
      if (this.walk.isOver(received === 0)) break;
    }
    if (!this.stoppedBecause && this.sent.size > 0) await this.watchCanary();
  }

  private async watchCanary(): Promise<void> {
    this.progress.stage = 'watching canary';
    this.onProgress({ ...this.progress });
    const until = this.clock.now() + this.options.canaryWatchMs;
    while (this.clock.now() < until && !this.stoppedBecause) {
      await this.clock.sleep(Math.min(1_000, Math.max(0, until - this.clock.now())));
      await this.checkFailedAgain();
    }
  }

  /** The rest: one of a few workers, at the rate, checking for failures every 2 s. */
  private async worker(): Promise<void> {
    while (this.goingOn()) {
      await this.renewLock();
      const received = await this.round(10);
      if (this.clock.now() - this.lastCheckAt > 2_000) await this.checkFailedAgain();
      if (this.walk.isOver(received === 0)) return;
    }
  }

  /** Redriven messages back in the DLQ: the index shows them by the id they had in the source queue. */
  private async checkFailedAgain(): Promise<void> {
    this.lastCheckAt = this.clock.now();
    await this.checkCancelled();
    if (this.cancelled) return;
    // Only what failed since the redrive began can be one of them (a minute's slack for the consumers' clocks).
    const since = new Date(this.startedAt - 60_000).toISOString();
    const back: DeadLetter[] = [];
    let after: string | undefined;
    do {
      const page = await this.dependencies.index.page(this.dlq, { since, ...(after ? { after } : {}) }, 1_000);
      back.push(...page.letters.filter((l) => this.sent.has(l.originalMessageId)));
      after = page.next;
    } while (after);
    this.progress.failedAgain = back.length;
    const reasons = this.failedAgainReasons;
    for (const key of Object.keys(reasons)) delete reasons[key];
    // By normalised reason: one cause counts once, and the reasons leave here (records, the audit) masked.
    for (const letter of back) {
      const reason = normaliseReason(letter.reason);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
    const { atLeast, share } = this.options.stopWhenFailedAgain;
    if (back.length >= atLeast && back.length >= share * Math.max(1, this.sent.size))
      this.stoppedBecause = `${back.length} of ${this.sent.size} redriven messages failed again (${Object.keys(reasons)[0]})`;
  }

  /** Whether someone cancelled it: asked at most once a second (a round at a high rate would ask many times). */
  private async checkCancelled(): Promise<void> {
    if (!this.options.cancelledBy || this.cancelled || this.clock.now() - this.cancelCheckedAt < 1_000) return;
    this.cancelCheckedAt = this.clock.now();
    const by = await this.options.cancelledBy();
    if (by === undefined) return;
    this.cancelled = true;
    this.stoppedBecause ??= `cancelled by ${by}`;
  }

  private async renewLock(): Promise<void> {
    if (this.clock.now() - this.lockRenewedAt <= this.options.lockLeaseMs / 3) return;
    this.lockRenewedAt = this.clock.now();
    if (!(await this.dependencies.locks.acquire(this.dlq, this.options.redriveId, this.options.lockLeaseMs))) {
      this.lockLost = true;
      this.stoppedBecause = 'the redrive lock was lost (another redrive took over after this one stalled)';
    }
  }

  /** Waits for the rate's leave to send `count` more (the rest only; the canary goes at once). */
  private async pace(count: number): Promise<void> {
    if (this.progress.stage !== 'rest') return;
    const at = Math.max(this.clock.now(), this.nextSendAt);
    this.nextSendAt = at + (count * 1_000) / this.options.messagesPerSecond;
    if (at > this.clock.now()) await this.clock.sleep(at - this.clock.now());
    // A wait for the rate's leave can outlast the lease (a low rate, several workers sharing it): renewed before
    // sending, never after it has lapsed.
    await this.renewLock();
  }

  /** One receive: the selected messages sent back (send, then delete), the others released at once. */
  private async round(limit: number): Promise<number> {
    const { queues } = this.dependencies;
    const batch = await queues.receive(this.dlq, 10, this.options.visibilitySeconds);
    const chosen: Chosen[] = [];
    const others: string[] = [];
    for (const received of batch) {
      const letter = this.pending.get(received.messageId);
      if (letter && !this.stoppedBecause && chosen.length < limit) {
        // Taken now, so that no other worker sends it too.
        this.pending.delete(received.messageId);
        chosen.push({ received, letter });
      } else others.push(received.receiptHandle);
    }
    if (others.length > 0) await queues.releaseBatch(this.dlq, others);
    this.walk.looked(
      batch.map((m) => m.messageId),
      chosen.length > 0,
    );
    if (chosen.length === 0) return batch.length;
    await this.pace(chosen.length);
    await this.checkCancelled();
    if (this.lockLost || this.cancelled) {
      // Another holder may be sending these very messages, or someone cancelled: they go back to the DLQ unsent.
      for (const { letter } of chosen) this.pending.set(letter.messageId, letter);
      await queues.releaseBatch(
        this.dlq,
        chosen.map(({ received }) => received.receiptHandle),
      );
      return batch.length;
    }
    await this.sendBack(chosen);
    this.progress.sent = this.sent.size;
    this.progress.alreadyDelivered = this.settled.length;
    this.onProgress({ ...this.progress });
    return batch.length;
  }

  /**
   * The chosen messages to their source queues, one batch per source, then deleted from the DLQ; one delivered
   * already is deleted without a send; one SQS did not take goes back to the DLQ's visible messages and to the list.
   */
  private async sendBack(chosen: readonly Chosen[]): Promise<void> {
    const { queues } = this.dependencies;
    const bySource = new Map<string, Chosen[]>();
    for (const item of chosen)
      bySource.set(item.letter.sourceQueue, [...(bySource.get(item.letter.sourceQueue) ?? []), item]);
    const deletable: string[] = [];
    const unsent: string[] = [];
    for (const [source, all] of bySource) {
      const items = all.filter(({ received, letter }) => {
        if (!this.options.alreadyDelivered?.has(letter.messageId)) return true;
        deletable.push(received.receiptHandle);
        this.settled.push(letter.messageId);
        return false;
      });
      if (items.length === 0) continue;
      const results = await queues.sendBatch(
        source,
        items.map(({ received, letter }) => outgoingMessage(received, letter, this.options.redriveId)),
      );
      results.forEach((result, i) => {
        const { received, letter } = items[i]!;
        if ('id' in result) {
          this.sent.set(result.id, letter.messageId);
          deletable.push(received.receiptHandle);
        } else {
          this.pending.set(letter.messageId, letter);
          unsent.push(received.receiptHandle);
        }
      });
    }
    if (deletable.length > 0) await queues.deleteBatch(this.dlq, deletable);
    if (unsent.length > 0) await queues.releaseBatch(this.dlq, unsent);
  }

  /** The last check, the index brought up to date (what left the DLQ leaves it), the outcome. */
  private async finish(): Promise<RedriveOutcome> {
    const { index } = this.dependencies;
    if (!this.stoppedBecause) await this.checkFailedAgain();
    this.progress.notFound = this.stoppedBecause ? 0 : this.pending.size;
    if (this.progress.notFound > 0) await index.remove(this.dlq, [...this.pending.keys()]);
    // What came back is indexed again under its new id.
    await index.remove(this.dlq, [...this.sent.values(), ...this.settled]);
    this.progress.stage = this.stoppedBecause ? 'stopped' : 'done';
    this.onProgress({ ...this.progress });
    return {
      ...this.progress,
      ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}),
      failedAgainReasons: this.failedAgainReasons,
    };
  }

  private audit(outcome: string, count: number, detail: Record<string, number>): Promise<void> {
    return this.dependencies.audit.append({
      at: new Date(this.clock.now()).toISOString(),
      actor: this.options.actor,
      ...(this.options.actorId ? { actorId: this.options.actorId } : {}),
      action: 'redrive',
      dlq: this.dlq,
      target: this.plan.summary,
      count,
      outcome,
      detail: { redriveId: this.options.redriveId, ...detail },
    });
  }
}

/**
 * Runs `work` holding a DLQ's redrive lock, and releases it whatever happens: a redrive, a fix and a purge each
 * change a DLQ, one at a time. Refused with `refusal` (what to wait for) when another holds it.
 */
export async function holdingLock<T>(
  locks: RedriveLocks,
  dlq: string,
  lease: { holder: string; leaseMs: number },
  refusal: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!(await locks.acquire(dlq, lease.holder, lease.leaseMs))) throw new RedriveRefusedError(refusal);
  try {
    return await work();
  } finally {
    await locks.release(dlq, lease.holder);
  }
}
