import type { DestinationName, DestinationStatusBoard } from '../../contracts';
import type { DispatchObserver } from '../domain/dispatch';

/** How often a platform's unchanged answers are noted again by one container (a change is noted at once). */
export const STATUS_REFRESH_MS = 10_000;

interface Seen {
  accepted: boolean;
  failure?: string;
}

/**
 * Notes on the status board how each platform answered this batch's requests, so that the dead-letter console can
 * tell an operator whether a platform still refuses what it refused. At most one write per platform per batch, and
 * only when its answers changed or STATUS_REFRESH_MS have passed: a steady flow costs a few writes a minute.
 */
export function destinationStatusObserver(
  board: DestinationStatusBoard,
  clock: () => number = Date.now,
): Required<Pick<DispatchObserver, 'onAnswered'>> & { flush(): Promise<void> } {
  const batch = new Map<DestinationName, Seen>();
  const written = new Map<DestinationName, Seen & { at: number }>();
  return {
    onAnswered(destination, outcomes) {
      const seen = batch.get(destination) ?? { accepted: false };
      for (const outcome of outcomes) {
        if (outcome.status === 'delivered') seen.accepted = true;
        else seen.failure = outcome.reason;
      }
      batch.set(destination, seen);
    },
    async flush() {
      const now = clock();
      const due = [...batch].filter(([destination, seen]) => {
        const last = written.get(destination);
        return (
          !last ||
          now - last.at >= STATUS_REFRESH_MS ||
          last.accepted !== seen.accepted ||
          last.failure !== seen.failure
        );
      });
      batch.clear();
      await Promise.all(
        due.map(async ([destination, seen]) => {
          await board.note(destination, seen, now);
          written.set(destination, { ...seen, at: now });
        }),
      );
    },
  };
}
