import type { DeadLetterQueue } from './ports';

/**
 * A walk through a DLQ looking for some of its messages (a redrive, a fix, a purge): when has it seen the DLQ
 * through? Receives hand out messages in no order, and every message looked at but not wanted is released at once,
 * so it may come round again. After a few rounds in a row that found nothing wanted, with as many distinct messages
 * seen as the DLQ held when the walk began (or a receive that came back empty), what is still wanted is not in the
 * DLQ any more. One definition for every walk.
 */
export class DlqWalk {
  private readonly seen = new Set<string>();
  private fruitless = 0;
  private readonly holds: number;

  constructor(dlq: Pick<DeadLetterQueue, 'depth' | 'inFlight'>) {
    this.holds = dlq.depth + dlq.inFlight;
  }

  /** One receive's messages, and whether any of them was one the walk wanted. */
  looked(messageIds: readonly string[], foundWanted: boolean): void {
    for (const id of messageIds) this.seen.add(id);
    this.fruitless = foundWanted ? 0 : this.fruitless + 1;
  }

  hasSeen = (messageId: string): boolean => this.seen.has(messageId);

  /** Whether every message the DLQ held has been looked at once. */
  get seenThrough(): boolean {
    return this.seen.size >= this.holds;
  }

  /** Whether to stop looking: what is still wanted is not in the DLQ. */
  isOver(lastReceiveEmpty: boolean): boolean {
    return this.fruitless >= DlqWalk.FRUITLESS_ROUNDS && (lastReceiveEmpty || this.seenThrough);
  }

  static readonly FRUITLESS_ROUNDS = 3;
}
