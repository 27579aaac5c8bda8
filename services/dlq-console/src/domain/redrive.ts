/**
 * Redriving dead letters back to the queues they failed on: planned from the index (a count and a sample before
 * anything moves), staged (a canary first, then the rest at a rate), stopped on its own when redriven messages fail
 * again, one operator at a time per DLQ, and crash-safe (each message is sent before it is deleted from the DLQ: a
 * crash in between leaves it in both, and the consumers' idempotency absorbs the repeat when it is redriven again).
 */
import { createHash } from 'node:crypto';
import { ATTRIBUTE, ownAttributes } from '@backbone/shared';
import { DlqWalk } from './dlq-walk';
import { describeFilter, matchesFilter, type DeadLetter, type DeadLetterFilter } from './dead-letters';
import type {
  AuditTrail,
  DeadLetterIndex,
  DeadLetterQueue,
  OutgoingMessage,
  QueuePort,
  ReceivedMessage,
  RedriveLocks,
} from './ports';

export interface RedrivePlan {
  dlq: DeadLetterQueue;
  filter: DeadLetterFilter;
  /** What the filter selected, in the order they will move (FIFO: by group, oldest first). */
  selected: DeadLetter[];
  /** FIFO only: messages the filter did not name but that sit before a named one in its group, moved with it. */
  addedForOrder: number;
  /** Counts by source queue, by message type and by reason group. */
  bySource: Record<string, number>;
  byType: Record<string, number>;
  sample: DeadLetter[];
  /** What will move, in words: what the operator confirms. */
  summary: string;
}

/** What a redrive will move: nothing is received or sent. */
export async function planRedrive(
  index: DeadLetterIndex,
  dlq: DeadLetterQueue,
  filter: DeadLetterFilter,
  now: number = Date.now(),
): Promise<RedrivePlan> {
  const all = await index.list(dlq.name);
  let selected = all.filter((letter) => matchesFilter(letter, filter, now));
  let addedForOrder = 0;
  if (dlq.fifo) {
    // A group's messages move in order: a chosen one takes every earlier one of its group with it.
    const latest = new Map<string, string>();
    for (const letter of selected)
      if (letter.groupId && letter.failedAt > (latest.get(letter.groupId) ?? ''))
        latest.set(letter.groupId, letter.failedAt);
    const chosen = new Set(selected.map((l) => l.messageId));
    const withEarlier = all.filter(
      (l) => chosen.has(l.messageId) || (l.groupId !== undefined && l.failedAt <= (latest.get(l.groupId) ?? '')),
    );
    addedForOrder = withEarlier.length - selected.length;
    selected = withEarlier;
  }
  selected.sort((a, b) => (a.groupId ?? '').localeCompare(b.groupId ?? '') || a.failedAt.localeCompare(b.failedAt));
  const count = (key: (l: DeadLetter) => string) =>
    selected.reduce<Record<string, number>>((out, l) => ({ ...out, [key(l)]: (out[key(l)] ?? 0) + 1 }), {});
  const bySource = count((l) => l.sourceQueue);
  const summary =
    `${selected.length} message${selected.length === 1 ? '' : 's'} of ${dlq.name} (${describeFilter(filter)}` +
    `${addedForOrder > 0 ? `, and ${addedForOrder} earlier in their FIFO groups` : ''}) back to ` +
    Object.entries(bySource)
      .map(([queue, n]) => `${queue} (${n})`)
      .join(', ');
  return {
    dlq,
    filter,
    selected,
    addedForOrder,
    bySource,
    byType: count((l) => l.messageType ?? '(no type)'),
    sample: selected.slice(0, 5),
    summary: selected.length > 0 ? summary : `nothing in ${dlq.name} matches ${describeFilter(filter)}`,
  };
}

export interface RedriveOptions {
  actor: string;
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

interface Clock {
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
    () => runRedrive(plan, options, dependencies, clock, onProgress),
  );
}

/** executeRedrive's work, under the DLQ's lock. */
async function runRedrive(
  plan: RedrivePlan,
  options: RedriveOptions,
  dependencies: RedriveDependencies,
  clock: Clock,
  onProgress: (progress: RedriveProgress) => void,
): Promise<RedriveOutcome> {
  const { queues, index, locks, audit } = dependencies;
  const dlq = plan.dlq.name;
  const startedAt = new Date(clock.now()).toISOString();
  await audit.append({
    at: startedAt,
    actor: options.actor,
    action: 'redrive',
    dlq,
    target: plan.summary,
    count: plan.selected.length,
    outcome: 'started',
    detail: { redriveId: options.redriveId, canary: options.canary, messagesPerSecond: options.messagesPerSecond },
  });

  const pending = new Map(plan.selected.map((letter) => [letter.messageId, letter]));
  /** The new message id in the source queue -> the dead letter it came from. */
  const sent = new Map<string, string>();
  /** Dead letters removed without a send (delivered already). */
  const settled: string[] = [];
  const failedAgainReasons: Record<string, number> = {};
  const progress: RedriveProgress = {
    stage: 'canary',
    total: plan.selected.length,
    sent: 0,
    failedAgain: 0,
    notFound: 0,
    alreadyDelivered: 0,
  };
  let stoppedBecause: string | undefined;
  let lockRenewedAt = clock.now();
  let nextSendAt = clock.now();
  let lastCheckAt = clock.now();

  /** Redriven messages back in the DLQ: the index shows them by the id they had in the source queue. */
  const checkFailedAgain = async (): Promise<void> => {
    lastCheckAt = clock.now();
    const back = (await index.list(dlq)).filter((l) => sent.has(l.originalMessageId));
    progress.failedAgain = back.length;
    for (const key of Object.keys(failedAgainReasons)) delete failedAgainReasons[key];
    for (const letter of back) failedAgainReasons[letter.reason] = (failedAgainReasons[letter.reason] ?? 0) + 1;
    const { atLeast, share } = options.stopWhenFailedAgain;
    if (back.length >= atLeast && back.length >= share * Math.max(1, sent.size))
      stoppedBecause = `${back.length} of ${sent.size} redriven messages failed again (${Object.keys(failedAgainReasons)[0]})`;
  };

  const watchCanary = async (): Promise<void> => {
    progress.stage = 'watching canary';
    onProgress({ ...progress });
    const until = clock.now() + options.canaryWatchMs;
    while (clock.now() < until && !stoppedBecause) {
      await clock.sleep(Math.min(1_000, Math.max(0, until - clock.now())));
      await checkFailedAgain();
    }
    progress.stage = 'rest';
  };

  try {
    // Shared by the workers: once the DLQ is seen through, what is left is not in it any more.
    const walk = new DlqWalk(plan.dlq);

    const renewLock = async (): Promise<void> => {
      if (clock.now() - lockRenewedAt <= options.lockLeaseMs / 3) return;
      lockRenewedAt = clock.now();
      if (!(await locks.acquire(dlq, options.redriveId, options.lockLeaseMs)))
        stoppedBecause = 'the redrive lock was lost (another redrive took over after this one stalled)';
    };

    /** Waits for the rate's leave to send `count` more (the rest only; the canary goes at once). */
    const pace = async (count: number): Promise<void> => {
      if (progress.stage !== 'rest') return;
      const at = Math.max(clock.now(), nextSendAt);
      nextSendAt = at + (count * 1_000) / options.messagesPerSecond;
      if (at > clock.now()) await clock.sleep(at - clock.now());
    };

    /** One receive: the selected messages sent back (send, then delete), the others released at once. */
    const round = async (limit: number): Promise<number> => {
      const batch = await queues.receive(dlq, 10, options.visibilitySeconds);
      const chosen: { received: ReceivedMessage; letter: DeadLetter }[] = [];
      const others: string[] = [];
      for (const received of batch) {
        const letter = pending.get(received.messageId);
        if (letter && !stoppedBecause && chosen.length < limit) {
          // Taken now, so that no other worker sends it too.
          pending.delete(received.messageId);
          chosen.push({ received, letter });
        } else others.push(received.receiptHandle);
      }
      if (others.length > 0) await queues.releaseBatch(dlq, others);
      walk.looked(
        batch.map((m) => m.messageId),
        chosen.length > 0,
      );
      if (chosen.length === 0) return batch.length;
      await pace(chosen.length);
      const bySource = new Map<string, typeof chosen>();
      for (const item of chosen)
        bySource.set(item.letter.sourceQueue, [...(bySource.get(item.letter.sourceQueue) ?? []), item]);
      const delivered: string[] = [];
      const unsent: string[] = [];
      for (const [source, all] of bySource) {
        const items = all.filter(({ received, letter }) => {
          if (!options.alreadyDelivered?.has(letter.messageId)) return true;
          delivered.push(received.receiptHandle);
          settled.push(letter.messageId);
          return false;
        });
        if (items.length === 0) continue;
        const results = await queues.sendBatch(
          source,
          items.map(({ received, letter }) => outgoingMessage(received, letter, options.redriveId)),
        );
        results.forEach((result, i) => {
          const { received, letter } = items[i]!;
          if ('id' in result) {
            sent.set(result.id, letter.messageId);
            delivered.push(received.receiptHandle);
          } else {
            // Not sent: back to the DLQ's visible messages, and to this redrive's list, for a later round.
            pending.set(letter.messageId, letter);
            unsent.push(received.receiptHandle);
          }
        });
      }
      if (delivered.length > 0) await queues.deleteBatch(dlq, delivered);
      if (unsent.length > 0) await queues.releaseBatch(dlq, unsent);
      progress.sent = sent.size;
      progress.alreadyDelivered = settled.length;
      onProgress({ ...progress });
      return batch.length;
    };

    // The canary: alone, one worker, then watched.
    while (pending.size > 0 && !stoppedBecause && sent.size < options.canary) {
      await renewLock();
      const received = await round(options.canary - sent.size);
      if (walk.isOver(received === 0)) break;
    }
    if (!stoppedBecause && sent.size > 0) await watchCanary();
    progress.stage = 'rest';
    // The rest: a few workers at once, at the rate, checked for failures every 2 s.
    const worker = async (): Promise<void> => {
      while (pending.size > 0 && !stoppedBecause) {
        await renewLock();
        const received = await round(10);
        if (clock.now() - lastCheckAt > 2_000) await checkFailedAgain();
        if (walk.isOver(received === 0)) return;
      }
    };
    if (pending.size > 0 && !stoppedBecause) await Promise.all(Array.from({ length: options.workers }, worker));
    if (!stoppedBecause) await checkFailedAgain();
    progress.notFound = stoppedBecause ? 0 : pending.size;
    if (progress.notFound > 0) await index.remove(dlq, [...pending.keys()]);
    // What left the DLQ leaves the index (what came back is indexed again under its new id).
    await index.remove(dlq, [...sent.values(), ...settled]);
    progress.stage = stoppedBecause ? 'stopped' : 'done';
    onProgress({ ...progress });
    return { ...progress, ...(stoppedBecause ? { stoppedBecause } : {}), failedAgainReasons };
  } finally {
    await audit.append({
      at: new Date(clock.now()).toISOString(),
      actor: options.actor,
      action: 'redrive',
      dlq,
      target: plan.summary,
      count: sent.size,
      outcome: stoppedBecause ? `stopped: ${stoppedBecause}` : progress.stage === 'done' ? 'done' : 'failed',
      detail: {
        redriveId: options.redriveId,
        sent: sent.size,
        failedAgain: progress.failedAgain,
        notFound: progress.notFound,
        alreadyDelivered: settled.length,
      },
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
