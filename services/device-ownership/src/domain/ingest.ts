/**
 * Device events into pre-processed rows. Every write carries the event's own time, and the store resolves each
 * value by that time (Cassandra's write timestamp): a duplicate rewrites the same value at the same time, and a late
 * event loses to anything newer already stored. So ingest never reads to decide what to write, except to find the
 * devices a customer fact belongs on.
 */
import { messageRef, PermanentError } from '@backbone/shared';
import type { Attestation, DeviceEvent } from '../../contracts';
import type { CustomerFact, FraudFlag, ResetProofFlag } from './device-record';
import type { DevicePolicy } from './rules';

/** Where ingest writes (Cassandra in the service; in memory for the simulation and unit tests). */
export interface DeviceEventStore {
  recordInstall(
    deviceId: string,
    install: { installId: string; platform: 'android' | 'ios'; resetProofFlag?: ResetProofFlag },
    at: Date,
  ): Promise<void>;
  /**
   * A customer on a device at `at`: counted among the device's accounts for `windowDays` (from `at`); with
   * `activity`, also their last activity there and the device among theirs.
   */
  recordSeen(
    deviceId: string,
    customerId: string,
    at: Date,
    options: { activity: boolean; windowDays: number },
  ): Promise<void>;
  /** A completed sign-up on a free device binds it to the customer (compare-and-set: only if still free). */
  bindIfFree(deviceId: string, customerId: string, at: Date): Promise<'bound' | 'not free'>;
  /** A fact about a customer, stored with the customer and on every device they have used. */
  recordCustomerFact(customerId: string, fact: CustomerFact, at: Date): Promise<void>;
  /** A flag raised on a device, or cleared (undefined). */
  recordDeviceFlag(deviceId: string, flagId: string, flag: FraudFlag | undefined, at: Date): Promise<void>;
  recordReset(
    deviceId: string,
    at: Date,
    reset: { installId?: string; resetProofFlag?: ResetProofFlag },
  ): Promise<void>;
}

const resetProofFlagOf = (attestation: Attestation | undefined): ResetProofFlag | undefined =>
  attestation?.resetProofFlag
    ? { set: attestation.resetProofFlag.set, writtenAt: new Date(attestation.resetProofFlag.writtenAt) }
    : undefined;

/** How far ahead of this service's clock an event may be dated: the producers' clocks drift, not by more. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * When an event's facts are written: its own time, which is the Cassandra write time, so that replays and late events
 * converge. An event dated in the future would outrank every later write of the same cells for good (a reset dated
 * 2100 could never be undone): one more than MAX_CLOCK_SKEW_MS ahead is refused (to the DLQ, with the reason), and
 * one within it is written at the clock's time, never ahead of it.
 */
export function writeTimeOf(event: DeviceEvent, now: Date): Date {
  const occurred = Date.parse(event.occurredAt);
  if (occurred > now.getTime() + MAX_CLOCK_SKEW_MS)
    throw new PermanentError(
      `${event.type} ${messageRef(event.id)} is dated ${event.occurredAt}, more than ${MAX_CLOCK_SKEW_MS / 60_000} ` +
        `minutes ahead of this service's clock (${now.toISOString()}): its write time would outrank every later ` +
        "write of the device's facts. Fix the producer's clock or the event's occurredAt, then redrive it.",
    );
  return new Date(Math.min(occurred, now.getTime()));
}

/**
 * Writes one device event's rows. Throws only for what the store cannot do (the consumer retries those), and for an
 * event dated in the future (see writeTimeOf). `now` is the service's clock (a simulation passes its own).
 */
export async function ingestDeviceEvent(
  event: DeviceEvent,
  store: DeviceEventStore,
  policy: DevicePolicy,
  now: Date = new Date(),
): Promise<void> {
  const at = writeTimeOf(event, now);
  const window = { windowDays: policy.windowDays };
  switch (event.type) {
    case 'AppInstalled': {
      const { deviceId, installId, platform, attestation } = event.data;
      const resetProofFlag = resetProofFlagOf(attestation);
      return store.recordInstall(deviceId, { installId, platform, ...(resetProofFlag ? { resetProofFlag } : {}) }, at);
    }
    case 'SignUpAttempted':
      return store.recordSeen(event.data.deviceId, event.data.customerId, at, { ...window, activity: false });
    case 'SignUpCompleted': {
      const { deviceId, customerId } = event.data;
      // Normally the sign-up check already bound the device; a sign-up that skipped it binds a free device here. The
      // two touch different cells, so they go together.
      await Promise.all([
        store.recordSeen(deviceId, customerId, at, { ...window, activity: true }),
        store.bindIfFree(deviceId, customerId, at),
      ]);
      return;
    }
    case 'LoginSucceeded':
      return store.recordSeen(event.data.deviceId, event.data.customerId, at, { ...window, activity: true });
    case 'CustomerLoanDisbursed':
      return store.recordCustomerFact(
        event.data.customerId,
        { kind: 'loan', loanId: event.data.loanId, state: 'open' },
        at,
      );
    case 'CustomerLoanRepaid':
      return store.recordCustomerFact(
        event.data.customerId,
        { kind: 'loan', loanId: event.data.loanId, state: 'repaid' },
        at,
      );
    case 'AccountStandingChanged':
      return store.recordCustomerFact(event.data.customerId, { kind: 'standing', standing: event.data.standing }, at);
    case 'AccountClosed':
      return store.recordCustomerFact(event.data.customerId, { kind: 'closed', at }, at);
    case 'FraudFlagRaised': {
      const { subject, flagId, reason, expiresAt, resetProof } = event.data;
      const flag: FraudFlag = { id: flagId, reason, raisedAt: at, expiresAt: new Date(expiresAt), resetProof };
      return subject.kind === 'device'
        ? store.recordDeviceFlag(subject.deviceId, flagId, flag, at)
        : store.recordCustomerFact(subject.customerId, { kind: 'flag', flag }, at);
    }
    case 'FraudFlagCleared': {
      const { subject, flagId } = event.data;
      return subject.kind === 'device'
        ? store.recordDeviceFlag(subject.deviceId, flagId, undefined, at)
        : store.recordCustomerFact(subject.customerId, { kind: 'flag-cleared', flagId }, at);
    }
    case 'DeviceResetSignalled': {
      const { deviceId, installId, attestation } = event.data;
      const resetProofFlag = resetProofFlagOf(attestation);
      return store.recordReset(deviceId, at, {
        ...(installId ? { installId } : {}),
        ...(resetProofFlag ? { resetProofFlag } : {}),
      });
    }
  }
}
