/**
 * The sign-up rules: may this applicant sign up on this device? Pure functions of one device record, the applicant
 * and the clock, so the same record gives the same answer in the API, the simulation and the tests.
 *
 * Two rule sets: `current` lets a genuine second-hand buyer in (the previous owner gone quiet with a clean record, or
 * the phone reset since they last used it) while blocking what fraud looks like (live fraud flags, many accounts
 * cycling through one device); `legacy` blocks any device bound to another customer, kept for comparison.
 */
import type { Attestation, EvidenceFact } from '../../contracts';
import type { CustomerStanding, DeviceRecord, FraudFlag } from './device-record';
import { NO_STANDING } from './device-record';

export type DecisionOutcome = 'allow' | 'allow_transfer' | 'review' | 'block';

export type ReasonCode =
  | 'device_free'
  | 'already_owner'
  | 'owner_account_closed'
  | 'device_reset'
  | 'owner_inactive'
  | 'owner_recently_active'
  | 'owner_open_loan'
  | 'owner_in_arrears'
  | 'owner_account_new'
  | 'too_many_accounts'
  | 'device_fraud_flag'
  | 'owner_fraud_flag'
  | 'applicant_fraud_flag'
  | 'device_bound_to_another_customer'
  | 'lost_concurrent_claim';

/** What the applicant can do to pass a review. */
export type StepUp = 'owner_release' | 'document_check';

export interface Reason {
  code: ReasonCode;
  message: string;
}

/** What the decision looked at, with no personal data: the owner is named by relation, never by id. */
export interface Evidence {
  owner: 'none' | 'applicant' | 'another customer';
  /** About another customer's ownership, only these coarse facts (the policy's windows are in the rules version). */
  facts: EvidenceFact[];
  /** Distinct accounts on the device within the window, the applicant included: the device's, not one customer's. */
  accountsInWindow: number;
  /** Fraud flags that count against this sign-up (device's, owner's and applicant's). */
  liveFlags: number;
  /** Flags left behind by a reset (raised before it, not backed by a reset-proof marker). */
  flagsLeftByReset: number;
}

export interface Decision {
  outcome: DecisionOutcome;
  reasons: Reason[];
  stepUp?: StepUp;
  rulesVersion: string;
  evidence: Evidence;
}

export interface Applicant {
  customerId: string;
  /**
   * What the app says its device's attestation is, unverified: the applicant's own word. It may make a decision
   * stricter (a reset-proof marker it says is set), never looser.
   */
  attestation?: Attestation;
  /**
   * What a verdict the server verified says (Play Integrity's or App Attest's, signed; see AttestationVerifier): it
   * may change what the stored record says, either way.
   */
  verifiedAttestation?: Attestation;
}

export type RuleSetName = 'current' | 'legacy';

/** The settings of the current rules (stage parameters; see README). */
export interface DevicePolicy {
  /** How long an owner must have been inactive on the device before it may pass to someone else. */
  coolDownDays: number;
  /** The window over which distinct accounts on one device are counted. */
  windowDays: number;
  /** More distinct accounts than this within the window is what fraud rings look like: review. */
  maxAccountsInWindow: number;
  /** A reset-proof marker older than this no longer backs a flag (markers decay; phones are resold). */
  resetProofMaxAgeDays: number;
}

export const DEFAULT_POLICY: DevicePolicy = {
  coolDownDays: 30,
  windowDays: 30,
  maxAccountsInWindow: 3,
  resetProofMaxAgeDays: 365,
};

export const LEGACY_RULES_VERSION = 'legacy-v1';

/**
 * How long a customer's last activity on a device is kept: twice the cool-down, and at least 400 days. An owner whose
 * entry has lapsed counts from when they became owner, long enough ago to be inactive by the rules.
 */
export const lastSeenDays = (policy: DevicePolicy): number => Math.max(400, 2 * policy.coolDownDays);

/** Names the rules and their settings: two decisions with the same version were made by the same rules. */
export const rulesVersion = (policy: DevicePolicy): string =>
  `device-rules-v2;cool-down=${policy.coolDownDays}d;window=${policy.windowDays}d;` +
  `max-accounts=${policy.maxAccountsInWindow};reset-proof=${policy.resetProofMaxAgeDays}d`;

const DAY_MS = 86_400_000;

const REASON_MESSAGES: Record<ReasonCode, string> = {
  device_free: 'no customer owns this device',
  already_owner: 'the applicant already owns this device',
  owner_account_closed: "the previous owner's account is closed",
  device_reset: 'the device was reset after its owner last used it',
  owner_inactive: 'the owner has been inactive on this device past the cool-down, with no open loan, arrears or flag',
  owner_recently_active: 'the owner used this device within the cool-down',
  owner_open_loan: 'the owner has an open loan',
  owner_in_arrears: 'the owner is in arrears',
  owner_account_new:
    "the owner's account is younger than the window: a phone handed on that soon is how rings cycle accounts",
  too_many_accounts: 'more distinct accounts used this device within the window than genuine sharing explains',
  device_fraud_flag: 'the device carries a live fraud flag',
  owner_fraud_flag: "the device's owner carries a live fraud flag",
  applicant_fraud_flag: 'the applicant carries a live fraud flag',
  device_bound_to_another_customer: 'the device is bound to another customer (legacy rule)',
  lost_concurrent_claim: 'another applicant claimed this device at the same moment',
};

export const reason = (code: ReasonCode): Reason => ({ code, message: REASON_MESSAGES[code] });

/**
 * Does a flag count against a sign-up now? It must be live (not expired), and if the device was reset after it was
 * raised, backed by a reset-proof marker that is set and fresh: otherwise the flag stayed with the phone's previous
 * life and does not follow it to a new owner.
 */
function flagCounts(flag: FraudFlag, record: DeviceRecord, applicant: Applicant, policy: DevicePolicy, now: Date) {
  if (flag.expiresAt <= now) return 'expired' as const;
  if (record.lastResetAt === undefined || flag.raisedAt >= record.lastResetAt) return 'counts' as const;
  if (!flag.resetProof) return 'left-by-reset' as const;
  const backs = (marker: { set: boolean; writtenAt: Date } | undefined): boolean =>
    marker?.set === true && now.getTime() - marker.writtenAt.getTime() <= policy.resetProofMaxAgeDays * DAY_MS;
  const markerOf = (attestation: Attestation | undefined) =>
    attestation?.resetProofFlag
      ? { set: attestation.resetProofFlag.set, writtenAt: new Date(attestation.resetProofFlag.writtenAt) }
      : undefined;
  // A verified verdict says what the marker is now; else the stored record does. The applicant's own word can only
  // add a marker (stricter), never take the stored one away.
  const marker = markerOf(applicant.verifiedAttestation) ?? record.resetProofFlag;
  return backs(marker) || backs(markerOf(applicant.attestation)) ? ('counts' as const) : ('left-by-reset' as const);
}

function evidenceOf(record: DeviceRecord, applicant: Applicant, policy: DevicePolicy, now: Date) {
  const owner = record.owner;
  const ownerStanding: CustomerStanding = owner ? (record.standings.get(owner.customerId) ?? NO_STANDING) : NO_STANDING;
  const ownerLastSeen = owner
    ? new Date(Math.max(owner.since.getTime(), record.lastSeen.get(owner.customerId)?.getTime() ?? 0))
    : undefined;
  const windowStart = now.getTime() - policy.windowDays * DAY_MS;
  const accounts = new Set(
    [...record.accountsInWindow].filter(([, at]) => at.getTime() >= windowStart).map(([c]) => c),
  );
  accounts.add(applicant.customerId);
  let flagsLeftByReset = 0;
  const live = (flags: readonly FraudFlag[]): number =>
    flags.filter((flag) => {
      const verdict = flagCounts(flag, record, applicant, policy, now);
      if (verdict === 'left-by-reset') flagsLeftByReset++;
      return verdict === 'counts';
    }).length;
  const deviceFlags = live(record.deviceFlags);
  const ownerFlags = owner && owner.customerId !== applicant.customerId ? live(ownerStanding.flags) : 0;
  const applicantFlags = live(record.standings.get(applicant.customerId)?.flags ?? []);
  const facts: EvidenceFact[] = [];
  if (owner && owner.customerId !== applicant.customerId) {
    const windowMs = policy.windowDays * DAY_MS;
    facts.push(
      now.getTime() - owner.since.getTime() < windowMs
        ? 'owner_account_younger_than_window'
        : 'owner_account_older_than_window',
      now.getTime() - (ownerLastSeen?.getTime() ?? 0) < policy.coolDownDays * DAY_MS
        ? 'owner_active_within_cool_down'
        : 'owner_inactive_beyond_cool_down',
    );
    if (ownerStanding.openLoans > 0) facts.push('owner_has_open_loans');
    if (ownerStanding.inArrears) facts.push('owner_in_arrears');
    if (ownerStanding.closedAt !== undefined) facts.push('owner_account_closed');
    if (record.lastResetAt !== undefined && ownerLastSeen !== undefined)
      facts.push(
        record.lastResetAt > ownerLastSeen
          ? 'device_reset_since_owner_last_seen'
          : 'device_reset_before_owner_last_seen',
      );
  }
  const evidence: Evidence = {
    owner: !owner ? 'none' : owner.customerId === applicant.customerId ? 'applicant' : 'another customer',
    facts,
    accountsInWindow: accounts.size,
    liveFlags: deviceFlags + ownerFlags + applicantFlags,
    flagsLeftByReset,
  };
  return { evidence, ownerStanding, ownerLastSeen, deviceFlags, ownerFlags, applicantFlags };
}

/** The current rules: allow, allow_transfer, review (with the step-up that passes it) or block, with reasons. */
export function decideSignUp(record: DeviceRecord, applicant: Applicant, policy: DevicePolicy, now: Date): Decision {
  const facts = evidenceOf(record, applicant, policy, now);
  const { evidence, ownerStanding, ownerLastSeen } = facts;
  const version = rulesVersion(policy);
  const decide = (outcome: DecisionOutcome, codes: ReasonCode[], stepUp?: StepUp): Decision => ({
    outcome,
    reasons: codes.map(reason),
    ...(stepUp ? { stepUp } : {}),
    rulesVersion: version,
    evidence,
  });

  const blocks: ReasonCode[] = [];
  if (facts.deviceFlags > 0) blocks.push('device_fraud_flag');
  if (facts.ownerFlags > 0) blocks.push('owner_fraud_flag');
  if (facts.applicantFlags > 0) blocks.push('applicant_fraud_flag');
  if (blocks.length > 0) return decide('block', blocks);

  if (evidence.accountsInWindow > policy.maxAccountsInWindow)
    return decide('review', ['too_many_accounts'], 'document_check');

  const owner = record.owner;
  if (!owner) return decide('allow', ['device_free']);
  if (owner.customerId === applicant.customerId) return decide('allow', ['already_owner']);
  // A genuine seller or family member has been a customer a while; a ring's accounts are days old and can release the
  // phone to each other, so a young owner's phone passes on only through a check the ring cannot pass for itself.
  if (now.getTime() - owner.since.getTime() < policy.windowDays * DAY_MS)
    return decide('review', ['owner_account_new'], 'document_check');
  if (ownerStanding.closedAt !== undefined && ownerStanding.openLoans === 0)
    return decide('allow_transfer', ['owner_account_closed']);
  if (record.lastResetAt !== undefined && ownerLastSeen !== undefined && record.lastResetAt > ownerLastSeen)
    return decide('allow_transfer', ['device_reset']);

  const holds: ReasonCode[] = [];
  const inactiveSince = now.getTime() - (ownerLastSeen?.getTime() ?? 0);
  if (inactiveSince < policy.coolDownDays * DAY_MS) holds.push('owner_recently_active');
  if (ownerStanding.openLoans > 0) holds.push('owner_open_loan');
  if (ownerStanding.inArrears) holds.push('owner_in_arrears');
  if (holds.length === 0) return decide('allow_transfer', ['owner_inactive']);
  // A phone in use by someone else, or whose owner still owes: the owner can release it (a shared family phone, a
  // sale not yet noticed); nothing here says fraud, so the applicant is not turned away.
  return decide('review', holds, 'owner_release');
}

/** The legacy rule: any device bound to another customer is blocked. */
export function decideSignUpLegacy(
  record: DeviceRecord,
  applicant: Applicant,
  policy: DevicePolicy,
  now: Date,
): Decision {
  const { evidence } = evidenceOf(record, applicant, policy, now);
  const owner = record.owner;
  const code: ReasonCode = !owner
    ? 'device_free'
    : owner.customerId === applicant.customerId
      ? 'already_owner'
      : 'device_bound_to_another_customer';
  return {
    outcome: code === 'device_bound_to_another_customer' ? 'block' : 'allow',
    reasons: [reason(code)],
    rulesVersion: LEGACY_RULES_VERSION,
    evidence,
  };
}

export const RULE_SETS: Record<RuleSetName, typeof decideSignUp> = {
  current: decideSignUp,
  legacy: decideSignUpLegacy,
};

/** Whether an outcome binds the device to the applicant (a first claim or a transfer). */
export const claims = (decision: Decision): boolean =>
  decision.outcome === 'allow_transfer' || (decision.outcome === 'allow' && decision.evidence.owner === 'none');
