import {
  CLEARED,
  decodeFlag,
  deviceFlagsFrom,
  encodeFlag,
  factKey,
  factValue,
  standingsFromFacts,
  type CustomerFact,
  type FraudFlag,
} from './device-record';

const flag: FraudFlag = {
  id: 'f1',
  reason: 'chargeback',
  raisedAt: new Date('2026-11-01T00:00:00Z'),
  expiresAt: new Date('2027-05-01T00:00:00Z'),
  resetProof: true,
};

describe('customer facts as stored', () => {
  it.each<[CustomerFact, string, string]>([
    [{ kind: 'loan', loanId: 'l1', state: 'open' }, 'loan/l1', 'open'],
    [{ kind: 'loan', loanId: 'l1', state: 'repaid' }, 'loan/l1', 'repaid'],
    [{ kind: 'standing', standing: 'arrears' }, 'standing', 'arrears'],
    [{ kind: 'closed', at: new Date('2026-10-01T00:00:00Z') }, 'closed', '2026-10-01T00:00:00.000Z'],
    [{ kind: 'flag', flag }, 'flag/f1', encodeFlag(flag)],
    [{ kind: 'flag-cleared', flagId: 'f1' }, 'flag/f1', CLEARED],
  ])('%j is kept under %s as %s', (fact, key, value) => {
    expect(factKey(fact)).toBe(key);
    expect(factValue(fact)).toBe(value);
  });

  it('reads back into each customer\u2019s standing: open loans counted, arrears, closure, live flags', () => {
    const standings = standingsFromFacts([
      ['a/loan/l1', 'open'],
      ['a/loan/l2', 'repaid'],
      ['a/loan/l3', 'open'],
      ['a/standing', 'arrears'],
      ['a/closed', '2026-10-01T00:00:00.000Z'],
      ['a/flag/f1', encodeFlag(flag)],
      ['a/flag/f2', CLEARED],
      ['b/standing', 'good'],
      // Not a customer fact: skipped, not misread.
      ['no-slash', 'open'],
      ['/loan/x', 'open'],
      ['a/something-else', 'open'],
    ]);
    expect(standings.get('a')).toEqual({
      openLoans: 2,
      inArrears: true,
      closedAt: new Date('2026-10-01T00:00:00Z'),
      flags: [flag],
    });
    expect(standings.get('b')).toEqual({ openLoans: 0, inArrears: false, flags: [] });
    expect([...standings.keys()]).toEqual(['a', 'b']);
  });

  it('reads flags back as they were raised, and drops cleared or unreadable ones', () => {
    expect(decodeFlag('f1', encodeFlag(flag))).toEqual(flag);
    expect(decodeFlag('f1', encodeFlag({ ...flag, resetProof: false }))?.resetProof).toBe(false);
    expect(decodeFlag('f1', CLEARED)).toBeUndefined();
    expect(decodeFlag('f1', 'not json')).toBeUndefined();
    expect(
      deviceFlagsFrom([
        ['f1', encodeFlag(flag)],
        ['f2', CLEARED],
        ['f3', '{'],
      ]),
    ).toEqual([flag]);
  });
});
