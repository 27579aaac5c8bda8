import { DlqWalk } from './dlq-walk';

describe('a walk through a DLQ', () => {
  it('is over only after three fruitless rounds in a row with the DLQ seen through', () => {
    const walk = new DlqWalk({ depth: 4, inFlight: 1 });
    walk.looked(['a', 'b'], false);
    walk.looked(['c'], false);
    walk.looked(['a', 'c'], false);
    // Three fruitless rounds, but only three of the five messages seen: what is wanted may be among the other two.
    expect(walk.seenThrough).toBe(false);
    expect(walk.isOver(false)).toBe(false);
    walk.looked(['d', 'e'], false);
    expect(walk.seenThrough).toBe(true);
    expect(walk.isOver(false)).toBe(true);
  });

  it('starts counting again when a round finds something wanted', () => {
    const walk = new DlqWalk({ depth: 2, inFlight: 0 });
    walk.looked(['a', 'b'], false);
    walk.looked(['a'], false);
    walk.looked(['b'], true);
    expect(walk.isOver(false)).toBe(false);
    walk.looked([], false);
    walk.looked([], false);
    expect(walk.isOver(true)).toBe(false);
    walk.looked([], false);
    expect(walk.isOver(true)).toBe(true);
  });

  it('is over after three fruitless rounds when a receive comes back empty, whatever was seen', () => {
    const walk = new DlqWalk({ depth: 100, inFlight: 0 });
    for (let i = 0; i < 3; i++) walk.looked([], false);
    expect(walk.isOver(false)).toBe(false);
    expect(walk.isOver(true)).toBe(true);
    expect(walk.hasSeen('x')).toBe(false);
  });
});
