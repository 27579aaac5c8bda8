import type { DestinationStatusBoard } from '../../contracts';
import { permanent, retryable, delivered } from '../domain/outcome';
import { destinationStatusObserver, STATUS_REFRESH_MS } from './status-observer';

function boardAndClock() {
  const notes: { destination: string; accepted: boolean; failure?: string; at: number }[] = [];
  const board: DestinationStatusBoard = {
    async note(destination, seen, at) {
      notes.push({ destination, ...seen, at });
    },
    read: async () => new Map(),
  };
  let now = 1_000_000;
  return { notes, board, clock: () => now, advance: (ms: number) => (now += ms) };
}

describe('noting how each platform answered', () => {
  it('notes each platform once per batch: accepted, and the last failure’s reason', async () => {
    const { notes, board, clock } = boardAndClock();
    const observer = destinationStatusObserver(board, clock);
    observer.onAnswered('meta', [delivered, permanent('meta answered 400: a', '400')]);
    observer.onAnswered('meta', [permanent('meta answered 400: b', '400')]);
    observer.onAnswered('ga4', [retryable('ga4 answered 503', '503')]);
    await observer.flush();
    expect(notes).toEqual([
      { destination: 'meta', accepted: true, failure: 'meta answered 400: b', at: 1_000_000 },
      { destination: 'ga4', accepted: false, failure: 'ga4 answered 503', at: 1_000_000 },
    ]);
  });

  it('notes unchanged answers again only after a while, and a change at once', async () => {
    const { notes, board, clock, advance } = boardAndClock();
    const observer = destinationStatusObserver(board, clock);
    const batch = async (...outcomes: Parameters<typeof observer.onAnswered>[1]) => {
      observer.onAnswered('meta', outcomes);
      await observer.flush();
    };
    await batch(delivered);
    advance(1_000);
    await batch(delivered);
    expect(notes).toHaveLength(1);
    advance(1_000);
    await batch(permanent('meta answered 400: x', '400'));
    expect(notes).toHaveLength(2);
    advance(1_000);
    await batch(delivered);
    expect(notes.at(-1)).toMatchObject({ accepted: true, at: 1_003_000 });
    advance(STATUS_REFRESH_MS);
    await batch(delivered);
    expect(notes).toHaveLength(4);
    // A batch that sent nothing to a platform notes nothing.
    await observer.flush();
    expect(notes).toHaveLength(4);
  });
});
