/**
 * What one read of a device's partition yields: everything a sign-up decision needs, pre-processed at ingest so that
 * deciding is one partition read. Customer facts (loans, arrears, flags, a closed account) are copied onto every
 * device the customer uses, keyed by customer, so the owner's standing is there whoever the owner is now.
 */

/** A fraud flag as stored: dated, expiring, and cleared rather than forgotten (so a late raise cannot revive it). */
export interface FraudFlag {
  id: string;
  reason: string;
  raisedAt: Date;
  expiresAt: Date;
  /** Also written to the device's reset-proof storage when raised: may survive a factory reset. */
  resetProof: boolean;
}

/** A customer's standing, as far as this device's partition knows it. */
export interface CustomerStanding {
  openLoans: number;
  inArrears: boolean;
  closedAt?: Date;
  /** Raised and not cleared (expired ones included: the rules decide what still counts). */
  flags: readonly FraudFlag[];
}

/** The reset-proof fraud marker, as the device's attestation last reported it. */
export interface ResetProofFlag {
  set: boolean;
  writtenAt: Date;
}

export interface DeviceRecord {
  deviceId: string;
  /** Absent: the device is free. */
  owner?: { customerId: string; since: Date };
  platform?: 'android' | 'ios';
  lastResetAt?: Date;
  resetProofFlag?: ResetProofFlag;
  /** Per customer, their last activity on this device (a login, a completed sign-up). */
  lastSeen: ReadonlyMap<string, Date>;
  /** Per customer, their latest sign-up attempt or activity on this device within the window (entries expire by TTL). */
  accountsInWindow: ReadonlyMap<string, Date>;
  /** Per customer seen on this device. */
  standings: ReadonlyMap<string, CustomerStanding>;
  /** Flags on the device itself (raised and not cleared). */
  deviceFlags: readonly FraudFlag[];
}

export const freeDevice = (deviceId: string): DeviceRecord => ({
  deviceId,
  lastSeen: new Map(),
  accountsInWindow: new Map(),
  standings: new Map(),
  deviceFlags: [],
});

export const NO_STANDING: CustomerStanding = { openLoans: 0, inArrears: false, flags: [] };

/**
 * Customer facts travel as key/value pairs, keyed `<customerId>/<fact>`, so that each is one map entry with its own
 * write timestamp: a loan repaid after it was disbursed stays repaid whatever order the events arrive in.
 */
export type CustomerFact =
  | { kind: 'loan'; loanId: string; state: 'open' | 'repaid' }
  | { kind: 'standing'; standing: 'good' | 'arrears' }
  | { kind: 'closed'; at: Date }
  | { kind: 'flag'; flag: FraudFlag }
  | { kind: 'flag-cleared'; flagId: string };

/** The fact's key below its customer: one entry per loan, per flag, one for standing, one for closure. */
export function factKey(fact: CustomerFact): string {
  switch (fact.kind) {
    case 'loan':
      return `loan/${fact.loanId}`;
    case 'standing':
      return 'standing';
    case 'closed':
      return 'closed';
    case 'flag':
      return `flag/${fact.flag.id}`;
    case 'flag-cleared':
      return `flag/${fact.flagId}`;
  }
}

/** The stored value of a fact (its key says which). */
export function factValue(fact: CustomerFact): string {
  switch (fact.kind) {
    case 'loan':
      return fact.state;
    case 'standing':
      return fact.standing;
    case 'closed':
      return fact.at.toISOString();
    case 'flag':
      return encodeFlag(fact.flag);
    case 'flag-cleared':
      return CLEARED;
  }
}

/** The stored value of a cleared flag: kept, so that a raise delivered late does not revive it. */
export const CLEARED = 'cleared';

export function encodeFlag(flag: FraudFlag): string {
  return JSON.stringify({
    reason: flag.reason,
    raisedAt: flag.raisedAt.toISOString(),
    expiresAt: flag.expiresAt.toISOString(),
    resetProof: flag.resetProof,
  });
}

/** A stored flag value back to a flag; undefined when it was cleared (or is not a flag at all). */
export function decodeFlag(id: string, value: string): FraudFlag | undefined {
  if (value === CLEARED) return undefined;
  try {
    const parsed = JSON.parse(value) as { reason: string; raisedAt: string; expiresAt: string; resetProof: boolean };
    return {
      id,
      reason: parsed.reason,
      raisedAt: new Date(parsed.raisedAt),
      expiresAt: new Date(parsed.expiresAt),
      resetProof: parsed.resetProof === true,
    };
  } catch {
    return undefined;
  }
}

/** Stored customer facts (`<customerId>/<fact>` -> value) back to standings per customer. */
export function standingsFromFacts(facts: Iterable<readonly [string, string]>): Map<string, CustomerStanding> {
  const standings = new Map<string, { openLoans: number; inArrears: boolean; closedAt?: Date; flags: FraudFlag[] }>();
  for (const [key, value] of facts) {
    const slash = key.indexOf('/');
    if (slash <= 0) continue;
    const customerId = key.slice(0, slash);
    const fact = key.slice(slash + 1);
    const standing = standings.get(customerId) ?? { openLoans: 0, inArrears: false, flags: [] };
    standings.set(customerId, standing);
    if (fact.startsWith('loan/')) {
      if (value === 'open') standing.openLoans++;
    } else if (fact === 'standing') {
      standing.inArrears = value === 'arrears';
    } else if (fact === 'closed') {
      standing.closedAt = new Date(value);
    } else if (fact.startsWith('flag/')) {
      const flag = decodeFlag(fact.slice('flag/'.length), value);
      if (flag) standing.flags.push(flag);
    }
  }
  return standings;
}

/** Stored device flags (flag id -> value) back to flags, cleared ones left out. */
export function deviceFlagsFrom(entries: Iterable<readonly [string, string]>): FraudFlag[] {
  const flags: FraudFlag[] = [];
  for (const [id, value] of entries) {
    const flag = decodeFlag(id, value);
    if (flag) flags.push(flag);
  }
  return flags;
}
