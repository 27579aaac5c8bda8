import { filterFromOptions as filterFrom, parseDuration } from './domain/dead-letters';

describe('the command line', () => {
  it('reads durations as people write them, and says how when it cannot', () => {
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1.5d')).toBe(129_600_000);
    expect(() => parseDuration('30 minutes')).toThrow('"30 minutes" is not a duration: write it as 45s, 30m, 2h or 1d');
  });

  it('turns its options into a filter, refusing a kind that does not exist', () => {
    expect(
      filterFrom({
        group: 'abcd1234',
        reason: 'phone',
        type: 'LoanApproved',
        destination: 'meta',
        kind: 'permanent',
        'older-than': '1h',
        'newer-than': '1d',
        ids: 'a, b',
        search: 'x',
        json: true,
      }),
    ).toEqual({
      group: 'abcd1234',
      reason: 'phone',
      messageType: 'LoanApproved',
      destination: 'meta',
      kind: 'permanent',
      olderThanMs: 3_600_000,
      newerThanMs: 86_400_000,
      ids: ['a', 'b'],
      search: 'x',
    });
    expect(filterFrom({})).toEqual({});
    expect(() => filterFrom({ kind: 'broken' })).toThrow(
      '--kind broken is not a failure kind: use one of permanent, retries-exhausted, outcome-unknown, unexplained',
    );
  });
});
