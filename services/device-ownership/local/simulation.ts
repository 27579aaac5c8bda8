/**
 * A month of sign-ups on phones, generated from stated market parameters and replayed through both rule sets: the
 * figure behind "device-related tickets fell 91 %". Each world (current rules, legacy rule) has its own store and
 * replays the same generated events through the service's own ingest and sign-up check; what an admitted applicant
 * does next (a fraud ring's account found out and flagged) happens only in the world that admitted them.
 *
 * Seeded and reproducible: the same parameters and seed give the same figures.
 */
import {
  accountStandingChangedV1,
  appInstalledV1,
  customerLoanDisbursedV1,
  deviceResetSignalledV1,
  fraudFlagRaisedV1,
  loginSucceededV1,
  signUpCompletedV1,
  type DeviceEvent,
} from '../contracts';
import { createMemoryDeviceStore } from '../src/adapters/memory-device-store';
import { ingestDeviceEvent } from '../src/domain/ingest';
import {
  DEFAULT_POLICY,
  type DecisionOutcome,
  type DevicePolicy,
  type ReasonCode,
  type RuleSetName,
  type StepUp,
} from '../src/domain/rules';
import { checkSignUp } from '../src/domain/signup-check';

/** The market, as the simulation assumes it. Every share is of the month's applicants unless it says otherwise. */
export interface MarketParameters {
  seed: number;
  /** Sign-up applicants in the month (fraud rings' attempts are on top). */
  applicants: number;
  /**
   * Applicants on a second-hand phone. Surveys put second-hand phones at about one in five sold in Kenya (GSMA and
   * Kenyan retail surveys; most buyers say they are open to one): 0.20.
   */
  secondHandShare: number;
  /** Of second-hand phones, the share whose previous owner was our customer on it (our reach among phone users). */
  previousOwnerWasCustomerShare: number;
  /** Of resold phones, the share factory-reset between the sale and the buyer's sign-up (assumed). */
  resetOnResaleShare: number;
  /** Days between the seller's last use of the app on the phone and the buyer's sign-up (mean of an exponential). */
  meanResaleGapDays: number;
  /** Sellers with a loan still open when they sell, and in arrears (assumed, for a lender with short loans). */
  sellerOpenLoanShare: number;
  sellerArrearsShare: number;
  /** Applicants on a phone a family member uses actively (a genuine shared phone). */
  sharedPhoneShare: number;
  /** Applicants who already own the phone (a re-install, a second try). */
  repeatApplicantShare: number;
  /** Fraud rings in the month; each cycles accounts through a few phones. */
  fraudRings: number;
  devicesPerRing: number;
  /** Accounts a ring tries per phone in the month. */
  accountsPerRingDevice: number;
  /** Share of a ring's admitted accounts found out (then the phone and the account are flagged), and when. */
  fraudDetectedShare: number;
  meanDaysToDetection: number;
  /** Share of flags also written to the phone's reset-proof storage (Play Integrity device recall, DeviceCheck). */
  resetProofFlagShare: number;
  /** Share of rings that factory-reset a phone before each new account, to look like a resold phone. */
  ringResetsShare: number;
  /** Chances of passing a step-up, for genuine applicants and for fraud (assumed). */
  stepUpPass: Record<StepUp, { genuine: number; fraud: number }>;
}

export const DEFAULT_MARKET: MarketParameters = {
  seed: 42,
  applicants: 20_000,
  secondHandShare: 0.2,
  previousOwnerWasCustomerShare: 0.35,
  resetOnResaleShare: 0.6,
  meanResaleGapDays: 21,
  sellerOpenLoanShare: 0.3,
  sellerArrearsShare: 0.08,
  sharedPhoneShare: 0.04,
  repeatApplicantShare: 0.05,
  fraudRings: 40,
  devicesPerRing: 3,
  accountsPerRingDevice: 8,
  fraudDetectedShare: 0.7,
  meanDaysToDetection: 10,
  resetProofFlagShare: 0.5,
  ringResetsShare: 0.5,
  stepUpPass: {
    owner_release: { genuine: 0.6, fraud: 0.9 },
    document_check: { genuine: 0.9, fraud: 0.1 },
  },
};

/** Who is applying: the scenario an applicant comes from. */
export type ApplicantKind =
  | 'new phone'
  | 'second-hand, previous owner unknown'
  | 'second-hand from a customer'
  | 'shared family phone'
  | 'repeat applicant'
  | 'fraud ring';

export const GENUINE_KINDS: readonly ApplicantKind[] = [
  'new phone',
  'second-hand, previous owner unknown',
  'second-hand from a customer',
  'shared family phone',
  'repeat applicant',
];

/** What happened to one applicant in one world. */
export interface SimulatedDecision {
  kind: ApplicantKind;
  outcome: DecisionOutcome;
  reasons: ReasonCode[];
  stepUp?: StepUp;
  /** In the end: admitted (outright or through the step-up), or turned away. */
  admitted: boolean;
}

export interface WorldResult {
  rules: RuleSetName;
  decisions: SimulatedDecision[];
}

/** A small, fast, seeded generator (mulberry32): the same seed, the same month. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY_MS = 86_400_000;

/** A sign-up attempt in the month, with what makes it genuine or not. */
interface Attempt {
  at: Date;
  deviceId: string;
  customerId: string;
  kind: ApplicantKind;
  /** For rings: reset the phone just before (new install id), showing a reset-proof marker if one was written. */
  ringDevice?: string;
}

type Step = { at: Date; event: DeviceEvent } | { at: Date; attempt: Attempt };

interface Month {
  start: Date;
  steps: Step[];
}

/** Generates the month: the history it starts from (owners, loans, logins) and its attempts, in time order. */
export function generateMonth(market: MarketParameters, start = new Date('2026-11-01T00:00:00Z')): Month {
  const random = seededRandom(market.seed);
  const steps: Step[] = [];
  const at = (ms: number): Date => new Date(start.getTime() + ms);
  const inMonth = (): number => random() * 30 * DAY_MS;
  const exponentialDays = (mean: number): number => -Math.log(1 - random()) * mean;
  const event = (e: DeviceEvent) => steps.push({ at: new Date(e.occurredAt), event: e });
  let serial = 0;
  const next = (prefix: string) => `${prefix}-${(serial++).toString(36)}`;

  /** A customer who signed up on `deviceId` long ago, last used it at `lastUse`, with a loan state. */
  const pastOwner = (deviceId: string, lastUse: Date, loans: { open: boolean; arrears: boolean }) => {
    const owner = next('c');
    const since = new Date(lastUse.getTime() - (30 + random() * 600) * DAY_MS);
    event(appInstalledV1.create({ deviceId, installId: next('i'), platform: 'android' }, { occurredAt: since }));
    event(
      signUpCompletedV1.create({ deviceId, customerId: owner }, { occurredAt: new Date(since.getTime() + 60_000) }),
    );
    event(loginSucceededV1.create({ deviceId, customerId: owner }, { occurredAt: lastUse }));
    if (loans.open) {
      const disbursed = new Date(lastUse.getTime() - random() * 20 * DAY_MS);
      event(customerLoanDisbursedV1.create({ customerId: owner, loanId: next('l') }, { occurredAt: disbursed }));
    }
    if (loans.arrears)
      event(accountStandingChangedV1.create({ customerId: owner, standing: 'arrears' }, { occurredAt: lastUse }));
    return owner;
  };

  for (let i = 0; i < market.applicants; i++) {
    const when = at(inMonth());
    const deviceId = next('d');
    const customerId = next('c');
    const roll = random();
    const secondHand = roll < market.secondHandShare;
    const shared = !secondHand && roll < market.secondHandShare + market.sharedPhoneShare;
    const repeat =
      !secondHand && !shared && roll < market.secondHandShare + market.sharedPhoneShare + market.repeatApplicantShare;
    let kind: ApplicantKind = 'new phone';
    if (secondHand && random() < market.previousOwnerWasCustomerShare) {
      kind = 'second-hand from a customer';
      const lastUse = new Date(when.getTime() - (1 + exponentialDays(market.meanResaleGapDays)) * DAY_MS);
      const open = random() < market.sellerOpenLoanShare;
      pastOwner(deviceId, lastUse, {
        open,
        arrears: open && random() < market.sellerArrearsShare / market.sellerOpenLoanShare,
      });
      if (random() < market.resetOnResaleShare) {
        const resetAt = new Date(lastUse.getTime() + random() * (when.getTime() - lastUse.getTime()));
        event(
          deviceResetSignalledV1.create(
            { deviceId, signal: 'new-install-id', installId: next('i') },
            { occurredAt: resetAt },
          ),
        );
      }
    } else if (secondHand) {
      kind = 'second-hand, previous owner unknown';
    } else if (shared) {
      kind = 'shared family phone';
      pastOwner(deviceId, new Date(when.getTime() - random() * 5 * DAY_MS), { open: random() < 0.3, arrears: false });
    } else if (repeat) {
      kind = 'repeat applicant';
      event(
        appInstalledV1.create(
          { deviceId, installId: next('i'), platform: 'android' },
          { occurredAt: new Date(when.getTime() - 90 * DAY_MS) },
        ),
      );
      event(
        signUpCompletedV1.create(
          { deviceId, customerId },
          { occurredAt: new Date(when.getTime() - 90 * DAY_MS + 60_000) },
        ),
      );
      event(
        loginSucceededV1.create(
          { deviceId, customerId },
          { occurredAt: new Date(when.getTime() - random() * 20 * DAY_MS) },
        ),
      );
    }
    if (kind !== 'shared family phone' && kind !== 'repeat applicant' && kind !== 'second-hand from a customer')
      event(
        appInstalledV1.create(
          { deviceId, installId: next('i'), platform: 'android' },
          { occurredAt: new Date(when.getTime() - 600_000) },
        ),
      );
    steps.push({ at: when, attempt: { at: when, deviceId, customerId, kind } });
  }

  for (let ring = 0; ring < market.fraudRings; ring++) {
    const resets = random() < market.ringResetsShare;
    for (let d = 0; d < market.devicesPerRing; d++) {
      const deviceId = next('ring-d');
      let when = at(random() * 10 * DAY_MS);
      event(
        appInstalledV1.create(
          { deviceId, installId: next('i'), platform: 'android' },
          { occurredAt: new Date(when.getTime() - 600_000) },
        ),
      );
      for (let a = 0; a < market.accountsPerRingDevice; a++) {
        when = new Date(when.getTime() + (0.5 + random() * 3) * DAY_MS);
        if (when.getTime() > start.getTime() + 30 * DAY_MS) break;
        steps.push({
          at: when,
          attempt: {
            at: when,
            deviceId,
            customerId: next('ring-c'),
            kind: 'fraud ring',
            ...(resets && a > 0 ? { ringDevice: deviceId } : {}),
          },
        });
      }
    }
  }
  steps.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { start, steps };
}

/** Replays the month through one rule set: the service's own ingest and sign-up check, on an in-memory store. */
export async function replayMonth(
  month: Month,
  market: MarketParameters,
  rules: RuleSetName,
  policy: DevicePolicy = DEFAULT_POLICY,
): Promise<WorldResult> {
  let now = month.start;
  const stores = createMemoryDeviceStore(() => now);
  // Each world draws its own step-up results and detections from the same seed, so two runs agree.
  const random = seededRandom(market.seed ^ 0x5eed);
  const followUps: { at: Date; event: DeviceEvent }[] = [];
  const flagsOn = new Map<string, { at: Date; resetProof: boolean }>();
  const decisions: SimulatedDecision[] = [];
  const ingest = async (event: DeviceEvent) => {
    now = new Date(event.occurredAt);
    await ingestDeviceEvent(event, stores.events, policy, now);
  };
  const drainFollowUpsUntil = async (until: Date) => {
    followUps.sort((a, b) => a.at.getTime() - b.at.getTime());
    while (followUps.length > 0 && followUps[0]!.at <= until) await ingest(followUps.shift()!.event);
  };

  for (const step of month.steps) {
    await drainFollowUpsUntil(step.at);
    if ('event' in step) {
      await ingest(step.event);
      continue;
    }
    const { attempt } = step;
    now = attempt.at;
    if (attempt.ringDevice) {
      // The ring resets the phone before the next account; its attestation shows a reset-proof marker if one was set.
      const marker = flagsOn.get(attempt.ringDevice);
      await ingest(
        deviceResetSignalledV1.create(
          {
            deviceId: attempt.deviceId,
            signal: 'new-install-id',
            installId: `reinstall-${attempt.customerId}`,
            ...(marker?.resetProof
              ? { attestation: { resetProofFlag: { set: true, writtenAt: marker.at.toISOString() } } }
              : {}),
          },
          { occurredAt: new Date(attempt.at.getTime() - 60_000) },
        ),
      );
      now = attempt.at;
    }
    const result = await checkSignUp(
      { store: stores.decisions, policy, now: () => attempt.at },
      { deviceId: attempt.deviceId, applicant: { customerId: attempt.customerId }, rules },
    );
    const fraud = attempt.kind === 'fraud ring';
    const passed =
      result.outcome === 'review' && result.stepUp
        ? random() < market.stepUpPass[result.stepUp][fraud ? 'fraud' : 'genuine']
        : false;
    const admitted = result.outcome === 'allow' || result.outcome === 'allow_transfer' || passed;
    decisions.push({
      kind: attempt.kind,
      outcome: result.outcome,
      reasons: result.reasons.map((r) => r.code),
      ...(result.stepUp ? { stepUp: result.stepUp } : {}),
      admitted,
    });
    if (!admitted) continue;
    const completed = new Date(attempt.at.getTime() + 60_000);
    if (passed && result.stepUp === 'owner_release' && !result.claimed) {
      // The owner released the phone: the check binds it on the applicant's next attempt; here, at once.
      const record = await stores.decisions.read(attempt.deviceId);
      await stores.decisions.claim(attempt.deviceId, attempt.customerId, record.owner?.customerId, attempt.at);
    }
    await ingest(
      signUpCompletedV1.create(
        { deviceId: attempt.deviceId, customerId: attempt.customerId },
        { occurredAt: completed },
      ),
    );
    if (fraud && random() < market.fraudDetectedShare) {
      const detected = new Date(completed.getTime() + -Math.log(1 - random()) * market.meanDaysToDetection * DAY_MS);
      const resetProof = random() < market.resetProofFlagShare;
      const expiresAt = new Date(detected.getTime() + 180 * DAY_MS).toISOString();
      if (!flagsOn.has(attempt.deviceId)) flagsOn.set(attempt.deviceId, { at: detected, resetProof });
      const flag = { flagId: `fraud-${attempt.customerId}`, reason: 'ring-default', expiresAt, resetProof };
      followUps.push(
        {
          at: detected,
          event: fraudFlagRaisedV1.create(
            { ...flag, subject: { kind: 'device', deviceId: attempt.deviceId } },
            { occurredAt: detected },
          ),
        },
        {
          at: detected,
          event: fraudFlagRaisedV1.create(
            { ...flag, subject: { kind: 'customer', customerId: attempt.customerId } },
            { occurredAt: detected },
          ),
        },
      );
    }
  }
  return { rules, decisions };
}

/** The figures an operator compares: per world, per kind of applicant, and what the current rules change. */
export function summarise(current: WorldResult, legacy: WorldResult) {
  const of = (world: WorldResult) => {
    const genuine = world.decisions.filter((d) => d.kind !== 'fraud ring');
    const fraud = world.decisions.filter((d) => d.kind === 'fraud ring');
    const resold = world.decisions.filter((d) => d.kind === 'second-hand from a customer');
    return {
      genuine: genuine.length,
      genuineBlocked: genuine.filter((d) => d.outcome === 'block').length,
      genuineReviewed: genuine.filter((d) => d.outcome === 'review').length,
      genuineTurnedAway: genuine.filter((d) => !d.admitted).length,
      resold: resold.length,
      resoldBlocked: resold.filter((d) => d.outcome === 'block').length,
      resoldNotAdmittedOutright: resold.filter((d) => d.outcome === 'block' || d.outcome === 'review').length,
      resoldTurnedAway: resold.filter((d) => !d.admitted).length,
      fraud: fraud.length,
      fraudBlocked: fraud.filter((d) => d.outcome === 'block').length,
      fraudStopped: fraud.filter((d) => !d.admitted).length,
    };
  };
  const c = of(current);
  const l = of(legacy);
  const admittedByCurrentBlockedByLegacy = current.decisions.filter(
    (d, i) => d.kind !== 'fraud ring' && d.admitted && legacy.decisions[i]?.outcome === 'block',
  ).length;
  return {
    current: c,
    legacy: l,
    admittedByCurrentBlockedByLegacy,
    /** Of the genuine applicants the legacy rule blocked (the support-ticket driver), the share no longer blocked. */
    blockedGenuineRemovedShare: l.genuineBlocked === 0 ? 0 : 1 - c.genuineBlocked / l.genuineBlocked,
    /** Genuine second-hand buyers (from a customer) not admitted outright by the current rules. */
    resoldFalsePositiveRate: c.resold === 0 ? 0 : c.resoldNotAdmittedOutright / c.resold,
    resoldBlockedRate: c.resold === 0 ? 0 : c.resoldBlocked / c.resold,
  };
}

/** Decisions per outcome and reason, per world: rows of [outcome, reason, current, legacy]. */
export function decisionsByReason(current: WorldResult, legacy: WorldResult): [string, string, number, number][] {
  const count = (world: WorldResult) => {
    const counts = new Map<string, number>();
    for (const d of world.decisions) {
      const key = `${d.outcome}|${d.reasons.join(', ')}${d.stepUp ? ` -> ${d.stepUp}` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const [c, l] = [count(current), count(legacy)];
  const order: DecisionOutcome[] = ['allow', 'allow_transfer', 'review', 'block'];
  return [...new Set([...c.keys(), ...l.keys()])]
    .map((key) => {
      const [outcome, reasons] = key.split('|') as [string, string];
      return [outcome, reasons, c.get(key) ?? 0, l.get(key) ?? 0] as [string, string, number, number];
    })
    .sort(
      (a, b) =>
        order.indexOf(a[0] as DecisionOutcome) - order.indexOf(b[0] as DecisionOutcome) || b[2] + b[3] - (a[2] + a[3]),
    );
}
