/**
 * POST /devices/{deviceId}/signup-checks: read the device's partition once, decide, and when the decision binds the
 * device to the applicant (a first claim or a transfer), claim it with a compare-and-set on the owner read. Of
 * concurrent claims on one device exactly one wins; each loser is decided again on what the winner left, and told why.
 */
import type { Attestation } from '../../contracts';
import type { DeviceRecord } from './device-record';
import { claims, reason, RULE_SETS, type Applicant, type Decision, type DevicePolicy, type RuleSetName } from './rules';

export interface DeviceDecisionStore {
  /** The device's partition, in one read (a free device when nothing is stored). */
  read(deviceId: string): Promise<DeviceRecord>;
  /**
   * Binds the device to `customerId` if its owner is still `expectedOwner` (undefined: still free): a lightweight
   * transaction. On success the ownership history and the customer's devices are written too.
   */
  claim(deviceId: string, customerId: string, expectedOwner: string | undefined, at: Date): Promise<boolean>;
}

/**
 * Checks an attestation verdict server-side (a Play Integrity or App Attest verdict, signed by the service that
 * verified it with Google or Apple; locally, the stand-in's key) and returns what it says about this device. Throws
 * AttestationRefusedError saying why when it is not one the server can trust (badly signed, another device's, stale).
 */
export interface AttestationVerifier {
  verify(verdict: string, deviceId: string, now: Date): Promise<Attestation>;
}

export class AttestationRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestationRefusedError';
  }
}

export interface SignUpCheckRequest {
  deviceId: string;
  applicant: Applicant;
  /** A signed attestation verdict: verified here, and only then allowed to change what the stored record says. */
  attestationVerdict?: string;
  /** `legacy` decides by the old rule, for comparison (it claims as the current rules do). */
  rules?: RuleSetName;
  /** Decide without binding the device (what-if checks, the simulation's comparison). */
  dryRun?: boolean;
}

export interface SignUpCheckResult extends Decision {
  deviceId: string;
  /** The device is now bound to the applicant by this check. */
  claimed: boolean;
  decidedAt: string;
}

export interface SignUpDecisionPorts {
  store: DeviceDecisionStore;
  policy: DevicePolicy;
  /** Unset: this stage verifies no verdicts (one sent is refused, saying so). */
  verdicts?: AttestationVerifier;
  now?: () => Date;
}

export async function checkSignUp(deps: SignUpDecisionPorts, request: SignUpCheckRequest): Promise<SignUpCheckResult> {
  const { store, policy, now = () => new Date() } = deps;
  const decideBy = RULE_SETS[request.rules ?? 'current'];
  const at = now();
  const applicant = await withVerifiedAttestation(deps, request, at);
  const record = await store.read(request.deviceId);
  const decision = decideBy(record, applicant, policy, at);
  const result = (d: Decision, claimed: boolean): SignUpCheckResult => ({
    deviceId: request.deviceId,
    ...d,
    claimed,
    decidedAt: at.toISOString(),
  });
  if (request.dryRun || !claims(decision)) return result(decision, false);
  const won = await store.claim(request.deviceId, applicant.customerId, record.owner?.customerId, at);
  if (won) return result(decision, true);
  // Someone else's claim landed between our read and our compare-and-set: decide again on what is there now.
  const after = await store.read(request.deviceId);
  const again = decideBy(after, applicant, policy, at);
  if (again.evidence.owner === 'applicant') return result(again, false);
  const retold: Decision = claims(again)
    ? // Still claimable (the winner's claim already passed on): no second race in one request; the applicant retries.
      {
        ...again,
        outcome: 'review',
        reasons: [reason('lost_concurrent_claim'), ...again.reasons],
        stepUp: 'owner_release',
      }
    : { ...again, reasons: [reason('lost_concurrent_claim'), ...again.reasons] };
  return result(retold, false);
}

/** The applicant, with what a verdict the server verified says (a verdict it cannot verify is refused, never used). */
async function withVerifiedAttestation(
  deps: SignUpDecisionPorts,
  request: SignUpCheckRequest,
  at: Date,
): Promise<Applicant> {
  // Only a verdict verified here says what is verified: whatever the request claims as such is dropped.
  const { customerId, attestation } = request.applicant;
  const applicant: Applicant = { customerId, ...(attestation ? { attestation } : {}) };
  if (request.attestationVerdict === undefined) return applicant;
  if (!deps.verdicts)
    throw new AttestationRefusedError(
      'this stage verifies no attestation verdicts (attestationVerdictKeys is not set): leave attestationVerdict out',
    );
  return {
    ...applicant,
    verifiedAttestation: await deps.verdicts.verify(request.attestationVerdict, request.deviceId, at),
  };
}
