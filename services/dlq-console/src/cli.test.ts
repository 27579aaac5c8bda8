import { main } from './cli';
import { filterFromOptions as filterFrom, parseDuration } from './domain/dead-letters';
import { DLQ, letter, world } from './domain/dead-letters.fixtures';

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

describe('a purge of a FIFO DLQ', () => {
  it('names the messages it deletes besides the chosen ones (earlier in their groups) before it asks', async () => {
    const w = world([letter(1, { groupId: 'g' }), letter(2, { groupId: 'g' }), letter(3, { groupId: 'h' })], {
      fifo: true,
    });
    const lines: string[] = [];
    const before = { ...process.env };
    Object.assign(process.env, { STAGE: 'local', DLQ_ROLES: 'dlq:read,dlq:purge', DLQ_ACTOR: 'ops' });
    try {
      const code = await main(
        ['purge', DLQ, '--ids', 'm-2', '--yes'],
        (line) => lines.push(line),
        () => ({
          ...w.deps,
          now: w.deps.clock.now,
        }),
      );
      expect(code).toBe(0);
    } finally {
      process.env = before;
    }
    expect(lines[0]).toMatch(/^purge: 2 messages of .* \(1 chosen message, and 1 earlier in their FIFO groups\)/);
    expect(lines[1]).toMatch(/including 1 message\(s\) your filter did not select, .*: m-1$/);
    expect(lines.at(-1)).toBe('deleted 2; 0 were no longer in the DLQ');
  });
});
