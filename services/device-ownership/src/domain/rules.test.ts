import { freeDevice, type CustomerStanding, type DeviceRecord, type FraudFlag } from './device-record';
import {
  claims,
  decideSignUp,
  decideSignUpLegacy,
  DEFAULT_POLICY,
  lastSeenDays,
  reason,
  rulesVersion,
  type Applicant,
} from './rules';

const NOW = new Date('2026-11-30T12:00:00Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 86_400_000);
const daysAhead = (days: number): Date => new Date(NOW.getTime() + days * 86_400_000);

const applicant: Applicant = { customerId: 'cust-b' };

/** A device owned by A since 200 days ago, last seen `lastSeenDaysAgo` ago, with A's standing. */
function ownedByA(
  lastSeenDaysAgo: number,
  standing: Partial<CustomerStanding> = {},
  extra: Partial<DeviceRecord> = {},
) {
  const record: DeviceRecord = {
    ...freeDevice('dev-1'),
    owner: { customerId: 'cust-a', since: daysAgo(200) },
    lastSeen: new Map([['cust-a', daysAgo(lastSeenDaysAgo)]]),
    standings: new Map([['cust-a', { openLoans: 0, inArrears: false, flags: [], ...standing }]]),
    ...extra,
  };
  return record;
}

const flag = (raisedDaysAgo: number, overrides: Partial<FraudFlag> = {}): FraudFlag => ({
  id: 'f1',
  reason: 'ring-velocity',
  raisedAt: daysAgo(raisedDaysAgo),
  expiresAt: daysAhead(90),
  resetProof: false,
  ...overrides,
});

const decide = (record: DeviceRecord, who: Applicant = applicant) => decideSignUp(record, who, DEFAULT_POLICY, NOW);
const summary = (record: DeviceRecord, who: Applicant = applicant) => {
  const decision = decide(record, who);
  return { outcome: decision.outcome, reasons: decision.reasons.map((r) => r.code), stepUp: decision.stepUp };
};

describe('the current sign-up rules', () => {
  it.each([
    ['a free device', freeDevice('dev-1'), { outcome: 'allow', reasons: ['device_free'] }],
    [
      'a device the applicant owns',
      { ...ownedByA(1), owner: { customerId: 'cust-b', since: daysAgo(10) } },
      { outcome: 'allow', reasons: ['already_owner'] },
    ],
    [
      'an owner inactive past the cool-down with a clean record (a sold phone)',
      ownedByA(45),
      { outcome: 'allow_transfer', reasons: ['owner_inactive'] },
    ],
    [
      'a device reset after its owner last used it, even within the cool-down',
      ownedByA(5, {}, { lastResetAt: daysAgo(2) }),
      { outcome: 'allow_transfer', reasons: ['device_reset'] },
    ],
    [
      'an owner whose account is closed',
      ownedByA(3, { closedAt: daysAgo(3) }),
      { outcome: 'allow_transfer', reasons: ['owner_account_closed'] },
    ],
    [
      'an owner active within the cool-down (a shared family phone)',
      ownedByA(3),
      { outcome: 'review', reasons: ['owner_recently_active'], stepUp: 'owner_release' },
    ],
    [
      'an inactive owner with an open loan and in arrears',
      ownedByA(60, { openLoans: 1, inArrears: true }),
      { outcome: 'review', reasons: ['owner_open_loan', 'owner_in_arrears'], stepUp: 'owner_release' },
    ],
    [
      'an owner whose account is younger than the window, whatever else (how rings cycle accounts)',
      { ...ownedByA(60, {}, { lastResetAt: daysAgo(1) }), owner: { customerId: 'cust-a', since: daysAgo(10) } },
      { outcome: 'review', reasons: ['owner_account_new'], stepUp: 'document_check' },
    ],
    [
      'a reset before the owner last used it (the owner still has the phone)',
      ownedByA(1, {}, { lastResetAt: daysAgo(10) }),
      { outcome: 'review', reasons: ['owner_recently_active'], stepUp: 'owner_release' },
    ],
  ])('%s', (_case, record, expected) => {
    expect(summary(record)).toEqual({ stepUp: undefined, ...expected });
  });

  it('blocks a device with a live fraud flag, and says so with the evidence', () => {
    const decision = decide({ ...freeDevice('dev-1'), deviceFlags: [flag(3)] });
    expect(decision.outcome).toBe('block');
    expect(decision.reasons.map((r) => r.code)).toEqual(['device_fraud_flag']);
    expect(decision.evidence).toMatchObject({ owner: 'none', liveFlags: 1, flagsLeftByReset: 0 });
  });

  it("blocks on the owner's live flag, but not on one that expired", () => {
    expect(summary(ownedByA(60, { flags: [flag(10)] })).outcome).toBe('block');
    expect(summary(ownedByA(60, { flags: [flag(100, { expiresAt: daysAgo(1) })] }))).toMatchObject({
      outcome: 'allow_transfer',
    });
  });

  it('does not let a flag raised before the latest reset follow the phone to a new owner', () => {
    const record = ownedByA(60, {}, { lastResetAt: daysAgo(5), deviceFlags: [flag(30)] });
    const decision = decide(record);
    expect(decision.outcome).toBe('allow_transfer');
    expect(decision.evidence.flagsLeftByReset).toBe(1);
  });

  it('lets a reset-proof flag follow the phone while the reset-proof marker is set and fresh', () => {
    const deviceFlags = [flag(30, { resetProof: true })];
    const marked = (set: boolean, writtenDaysAgo: number) =>
      ownedByA(
        60,
        {},
        { lastResetAt: daysAgo(5), deviceFlags, resetProofFlag: { set, writtenAt: daysAgo(writtenDaysAgo) } },
      );
    expect(summary(marked(true, 30)).outcome).toBe('block');
    expect(summary(marked(false, 30)).outcome).toBe('allow_transfer');
    // Markers decay: one older than the policy's maximum age no longer backs the flag.
    expect(summary(marked(true, DEFAULT_POLICY.resetProofMaxAgeDays + 1)).outcome).toBe('allow_transfer');
  });

  it('lets a verified attestation change what the stored marker says, and the applicant’s own word only tighten it', () => {
    const deviceFlags = [flag(30, { resetProof: true })];
    const marked = (set: boolean) =>
      ownedByA(60, {}, { lastResetAt: daysAgo(5), deviceFlags, resetProofFlag: { set, writtenAt: daysAgo(30) } });
    const says = (set: boolean) => ({ resetProofFlag: { set, writtenAt: daysAgo(1).toISOString() } });
    const outcome = (record: DeviceRecord, applicant: Partial<Applicant>) =>
      decide(record, { customerId: 'cust-b', ...applicant }).outcome;
    // The applicant's word that the marker is gone does not clear a stored one (it did, before: a fraudster's way in).
    expect(outcome(marked(true), { attestation: says(false) })).toBe('block');
    // Their word that it is set makes the decision stricter.
    expect(outcome(marked(false), { attestation: says(true) })).toBe('block');
    // A verdict the server verified says what the marker is now, either way.
    expect(outcome(marked(true), { verifiedAttestation: says(false) })).toBe('allow_transfer');
    expect(outcome(marked(false), { verifiedAttestation: says(true) })).toBe('block');
    // Verified clear, the applicant's own word set: the stricter stands.
    expect(outcome(marked(true), { verifiedAttestation: says(false), attestation: says(true) })).toBe('block');
  });

  it('sends a device with more distinct accounts in the window than allowed to a document check', () => {
    const accountsInWindow = new Map(['c1', 'c2', 'c3'].map((c, i) => [c, daysAgo(i + 1)] as const));
    const decision = decide({ ...freeDevice('dev-1'), accountsInWindow });
    expect(decision).toMatchObject({ outcome: 'review', stepUp: 'document_check', evidence: { accountsInWindow: 4 } });
    // Accounts seen before the window do not count.
    const old = new Map(['c1', 'c2', 'c3'].map((c) => [c, daysAgo(DEFAULT_POLICY.windowDays + 1)] as const));
    expect(decide({ ...freeDevice('dev-1'), accountsInWindow: old }).outcome).toBe('allow');
  });

  it('names its rules and settings in the version', () => {
    expect(decide(freeDevice('d')).rulesVersion).toBe(rulesVersion(DEFAULT_POLICY));
    expect(rulesVersion({ ...DEFAULT_POLICY, coolDownDays: 14 })).toContain('cool-down=14d');
  });

  it('shows no customer id in its evidence', () => {
    const decision = decide(ownedByA(3));
    expect(JSON.stringify(decision)).not.toContain('cust-a');
    expect(decision.evidence.owner).toBe('another customer');
  });

  it('binds the device on a first claim and on a transfer, never on a review or block', () => {
    expect(claims(decide(freeDevice('d')))).toBe(true);
    expect(claims(decide(ownedByA(45)))).toBe(true);
    expect(claims(decide(ownedByA(3)))).toBe(false);
    expect(claims(decide({ ...ownedByA(1), owner: { customerId: 'cust-b', since: daysAgo(1) } }))).toBe(false);
  });
});

describe('the current rules at their edges', () => {
  const policy = DEFAULT_POLICY;
  it('counts a flag until the moment it expires, and one raised at the very moment of the reset', () => {
    expect(summary({ ...freeDevice('d'), deviceFlags: [flag(3, { expiresAt: NOW })] }).outcome).toBe('allow');
    expect(
      summary({ ...freeDevice('d'), deviceFlags: [flag(3, { expiresAt: new Date(NOW.getTime() + 1) })] }).outcome,
    ).toBe('block');
    const atReset = { ...freeDevice('d'), lastResetAt: daysAgo(3), deviceFlags: [flag(3)] };
    expect(summary(atReset).outcome).toBe('block');
  });

  it('takes a reset-proof marker up to exactly its maximum age, and only when it is set', () => {
    const deviceFlags = [flag(30, { resetProof: true })];
    const withMarker = (writtenAt: Date, set = true): DeviceRecord => ({
      ...freeDevice('d'),
      lastResetAt: daysAgo(5),
      deviceFlags,
      resetProofFlag: { set, writtenAt },
    });
    expect(summary(withMarker(daysAgo(policy.resetProofMaxAgeDays))).outcome).toBe('block');
    expect(summary(withMarker(new Date(daysAgo(policy.resetProofMaxAgeDays).getTime() - 1))).outcome).toBe('allow');
    // No marker at all: the flag stayed with the phone's previous life.
    expect(summary({ ...freeDevice('d'), lastResetAt: daysAgo(5), deviceFlags }).outcome).toBe('allow');
  });

  it('counts accounts seen exactly at the window’s start, and sends only more than the maximum to review', () => {
    const seen = (days: number[]) => new Map(days.map((d, i) => [`c${i}`, daysAgo(d)] as const));
    // Two others and the applicant: three, the maximum, allowed.
    expect(summary({ ...freeDevice('d'), accountsInWindow: seen([1, 2]) }).outcome).toBe('allow');
    expect(summary({ ...freeDevice('d'), accountsInWindow: seen([1, 2, policy.windowDays]) })).toEqual({
      outcome: 'review',
      reasons: ['too_many_accounts'],
      stepUp: 'document_check',
    });
    // The applicant seen before counts once.
    const withApplicant = new Map([...seen([1, 2]), ['cust-b', daysAgo(1)] as const]);
    expect(decide({ ...freeDevice('d'), accountsInWindow: withApplicant }).evidence.accountsInWindow).toBe(3);
  });

  it('passes a phone on from an owner exactly a window old, not from one a moment younger', () => {
    const owned = (sinceMs: number): DeviceRecord => ({
      ...freeDevice('d'),
      owner: { customerId: 'cust-a', since: new Date(sinceMs) },
      lastResetAt: daysAgo(1),
    });
    const windowAgo = NOW.getTime() - policy.windowDays * 86_400_000;
    expect(summary(owned(windowAgo)).outcome).toBe('allow_transfer');
    expect(summary(owned(windowAgo + 1)).reasons).toEqual(['owner_account_new']);
  });

  it('transfers on a reset only if it came after the owner last used the phone, and on inactivity from the cool-down', () => {
    expect(summary(ownedByA(5, {}, { lastResetAt: daysAgo(5) })).reasons).toEqual(['owner_recently_active']);
    expect(summary(ownedByA(policy.coolDownDays)).outcome).toBe('allow_transfer');
    expect(summary(ownedByA(policy.coolDownDays - 0.001)).reasons).toEqual(['owner_recently_active']);
    // An owner with no activity recorded counts from when they became owner.
    const quiet = { ...ownedByA(0), lastSeen: new Map<string, Date>() };
    expect(summary(quiet).outcome).toBe('allow_transfer');
  });

  it('does not hand on a closed account’s phone while a loan is open on it', () => {
    expect(summary(ownedByA(3, { closedAt: daysAgo(3), openLoans: 1 })).reasons).toEqual([
      'owner_recently_active',
      'owner_open_loan',
    ]);
  });

  it("blocks on the applicant's own live flag, counts every live flag in the evidence, and names no one", () => {
    const record = ownedByA(60, { flags: [flag(2, { id: 'o' })] }, { deviceFlags: [flag(2, { id: 'd' })] });
    const withApplicant: DeviceRecord = {
      ...record,
      standings: new Map([...record.standings, ['cust-b', { openLoans: 0, inArrears: false, flags: [flag(1)] }]]),
    };
    const decision = decide(withApplicant);
    expect(decision.reasons.map((r) => r.code)).toEqual([
      'device_fraud_flag',
      'owner_fraud_flag',
      'applicant_fraud_flag',
    ]);
    // Another customer's ownership in coarse facts only: no date, no loan count, no amount of theirs.
    expect(decision.evidence).toEqual({
      owner: 'another customer',
      facts: ['owner_account_older_than_window', 'owner_inactive_beyond_cool_down'],
      accountsInWindow: 1,
      liveFlags: 3,
      flagsLeftByReset: 0,
    });
    expect(decide({ ...withApplicant, lastResetAt: daysAgo(0.5) }).evidence).toMatchObject({
      facts: [
        'owner_account_older_than_window',
        'owner_inactive_beyond_cool_down',
        'device_reset_since_owner_last_seen',
      ],
      liveFlags: 0,
      flagsLeftByReset: 3,
    });
    const owing = ownedByA(5, { openLoans: 2, inArrears: true });
    const told = JSON.stringify(decide(owing).evidence);
    expect(decide(owing).evidence.facts).toEqual([
      'owner_account_older_than_window',
      'owner_active_within_cool_down',
      'owner_has_open_loans',
      'owner_in_arrears',
    ]);
    expect(told).not.toMatch(/\d{4}-\d{2}-\d{2}|"ownerOpenLoans"|:2\b/);
    // An owner applying again is judged on their flag as the applicant, not twice as owner too.
    expect(decide(record, { customerId: 'cust-a' }).reasons.map((r) => r.code)).toEqual([
      'device_fraud_flag',
      'applicant_fraud_flag',
    ]);
  });

  it('explains every reason in words', () => {
    const decision = decide(ownedByA(3, { openLoans: 1, inArrears: true }));
    expect(decision.reasons).toEqual([
      { code: 'owner_recently_active', message: 'the owner used this device within the cool-down' },
      { code: 'owner_open_loan', message: 'the owner has an open loan' },
      { code: 'owner_in_arrears', message: 'the owner is in arrears' },
    ]);
    expect(rulesVersion(policy)).toBe('device-rules-v2;cool-down=30d;window=30d;max-accounts=3;reset-proof=365d');
    expect(lastSeenDays(policy)).toBe(400);
    expect(lastSeenDays({ ...policy, coolDownDays: 365 })).toBe(730);
  });
});

describe('the legacy rule', () => {
  it('blocks any device bound to another customer, however long ago they used it', () => {
    const decision = decideSignUpLegacy(
      ownedByA(400, {}, { lastResetAt: daysAgo(100) }),
      applicant,
      DEFAULT_POLICY,
      NOW,
    );
    expect(decision).toMatchObject({ outcome: 'block', rulesVersion: 'legacy-v1' });
    expect(decision.reasons.map((r) => r.code)).toEqual(['device_bound_to_another_customer']);
  });

  it('names its reason and claims nothing it should not', () => {
    const blocked = decideSignUpLegacy(ownedByA(400), applicant, DEFAULT_POLICY, NOW);
    expect(blocked.reasons).toEqual([
      { code: 'device_bound_to_another_customer', message: 'the device is bound to another customer (legacy rule)' },
    ]);
    expect(claims(blocked)).toBe(false);
    expect(decideSignUpLegacy(freeDevice('d'), applicant, DEFAULT_POLICY, NOW).reasons[0]!.code).toBe('device_free');
    const own = { ...ownedByA(1), owner: { customerId: 'cust-b', since: daysAgo(1) } };
    expect(decideSignUpLegacy(own, applicant, DEFAULT_POLICY, NOW).reasons[0]!.code).toBe('already_owner');
  });

  it('allows a free device and its own owner', () => {
    expect(decideSignUpLegacy(freeDevice('d'), applicant, DEFAULT_POLICY, NOW).outcome).toBe('allow');
    const own = { ...ownedByA(1), owner: { customerId: 'cust-b', since: daysAgo(1) } };
    expect(decideSignUpLegacy(own, applicant, DEFAULT_POLICY, NOW).outcome).toBe('allow');
  });
});

describe('what a decision says', () => {
  const facts = (record: DeviceRecord) => decide(record).evidence.facts;
  const window = DEFAULT_POLICY.windowDays;
  const coolDown = DEFAULT_POLICY.coolDownDays;

  it('states the owner’s facts exactly, each on the right side of its boundary', () => {
    const young = { ...ownedByA(1), owner: { customerId: 'cust-a', since: daysAgo(window - 1) } };
    expect(facts(young)).toEqual(['owner_account_younger_than_window', 'owner_active_within_cool_down']);
    // Exactly the window old, exactly the cool-down inactive: past both.
    const atTheLimits = { ...ownedByA(coolDown), owner: { customerId: 'cust-a', since: daysAgo(window) } };
    expect(facts(atTheLimits)).toEqual(['owner_account_older_than_window', 'owner_inactive_beyond_cool_down']);
    // Never seen on it (no last-seen entry): inactive.
    const neverSeen = { ...ownedByA(1), lastSeen: new Map<string, Date>() };
    expect(facts(neverSeen)).toEqual(['owner_account_older_than_window', 'owner_inactive_beyond_cool_down']);
    expect(summary(neverSeen)).toEqual({ outcome: 'allow_transfer', reasons: ['owner_inactive'], stepUp: undefined });
    const closed = ownedByA(1, { closedAt: daysAgo(3) });
    expect(facts(closed)).toEqual([
      'owner_account_older_than_window',
      'owner_active_within_cool_down',
      'owner_account_closed',
    ]);
    const owing = ownedByA(1, { openLoans: 1, inArrears: true });
    expect(facts(owing)).toEqual([
      'owner_account_older_than_window',
      'owner_active_within_cool_down',
      'owner_has_open_loans',
      'owner_in_arrears',
    ]);
  });

  it('says whether a reset came before or after the owner last used the device (the same moment is before)', () => {
    expect(facts(ownedByA(5, {}, { lastResetAt: daysAgo(10) }))).toContain('device_reset_before_owner_last_seen');
    expect(facts(ownedByA(5, {}, { lastResetAt: daysAgo(5) }))).toContain('device_reset_before_owner_last_seen');
    expect(facts(ownedByA(5, {}, { lastResetAt: daysAgo(4) }))).toContain('device_reset_since_owner_last_seen');
    expect(summary(ownedByA(5, {}, { lastResetAt: daysAgo(5) })).reasons).not.toContain('device_reset');
    expect(summary(ownedByA(5, {}, { lastResetAt: daysAgo(4) })).reasons).toEqual(['device_reset']);
  });

  // What people are told: a change here changes what an applicant or an analyst reads, so each is written out.
  it.each([
    ['device_free', 'no customer owns this device'],
    ['already_owner', 'the applicant already owns this device'],
    ['owner_account_closed', "the previous owner's account is closed"],
    ['device_reset', 'the device was reset after its owner last used it'],
    [
      'owner_inactive',
      'the owner has been inactive on this device past the cool-down, with no open loan, arrears or flag',
    ],
    ['owner_recently_active', 'the owner used this device within the cool-down'],
    ['owner_open_loan', 'the owner has an open loan'],
    ['owner_in_arrears', 'the owner is in arrears'],
    [
      'owner_account_new',
      "the owner's account is younger than the window: a phone handed on that soon is how rings cycle accounts",
    ],
    ['too_many_accounts', 'more distinct accounts used this device within the window than genuine sharing explains'],
    ['device_fraud_flag', 'the device carries a live fraud flag'],
    ['owner_fraud_flag', "the device's owner carries a live fraud flag"],
    ['applicant_fraud_flag', 'the applicant carries a live fraud flag'],
    ['device_bound_to_another_customer', 'the device is bound to another customer (legacy rule)'],
    ['lost_concurrent_claim', 'another applicant claimed this device at the same moment'],
  ] as const)('tells %s as “%s”', (code, message) => {
    expect(reason(code)).toEqual({ code, message });
  });
});
