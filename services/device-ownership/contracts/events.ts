import { z } from 'zod';
import { defineContract, personal, type ContractEnvelope } from '@backbone/shared';

/**
 * Device events: backend services -> device-ownership's queue -> query-first Cassandra tables.
 *
 * Each event is a fact with its own time (the envelope's `occurredAt`): device-ownership writes every fact with that
 * time as its Cassandra write timestamp, so a fact delivered twice or late converges on the same state. Each is its
 * own versioned contract; envelope ids should be stable per fact (`<type>:<business id>`), so a republished fact is
 * recognisably the same one.
 *
 * Ids are opaque references (never a phone number or an email): device ids are the app's device identifier (ANDROID_ID
 * or identifierForVendor, hashed by the app), customer ids the lending platform's.
 */

const reference = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(128)
    .regex(/^[A-Za-z0-9._:@-]+$/, `${what} may hold letters, digits and . _ : @ - only`);

// Marked personal: each names a person or their phone, so the dead-letter console masks it.
export const deviceIdSchema = personal(reference('a device id'));
export const customerIdSchema = personal(reference('a customer id'));
export const installIdSchema = personal(reference('an install id'));

/**
 * What the device's attestation says, where the platform has one. `resetProofFlag` is the fraud marker this business
 * writes into the platform's reset-proof storage (Play Integrity device recall bits, Apple DeviceCheck bits) when it
 * flags a device: it survives a factory reset, and says when it was written, so that it can decay.
 */
export const attestationSchema = z.object({
  integrity: z.enum(['strong', 'device', 'basic', 'none']).optional(),
  resetProofFlag: z
    .object({
      set: z.boolean(),
      writtenAt: z.iso.datetime({ offset: true }),
    })
    .optional(),
});

export type Attestation = z.infer<typeof attestationSchema>;

const platform = z.enum(['android', 'ios']);

export const appInstalledV1 = defineContract({
  type: 'AppInstalled',
  version: 1,
  schema: z.object({
    deviceId: deviceIdSchema,
    installId: installIdSchema,
    platform,
    attestation: attestationSchema.optional(),
  }),
});

export const signUpAttemptedV1 = defineContract({
  type: 'SignUpAttempted',
  version: 1,
  schema: z.object({ deviceId: deviceIdSchema, customerId: customerIdSchema }),
});

export const signUpCompletedV1 = defineContract({
  type: 'SignUpCompleted',
  version: 1,
  schema: z.object({ deviceId: deviceIdSchema, customerId: customerIdSchema }),
});

export const loginSucceededV1 = defineContract({
  type: 'LoginSucceeded',
  version: 1,
  schema: z.object({ deviceId: deviceIdSchema, customerId: customerIdSchema }),
});

const loanId = personal(reference('a loan id'));

/** A loan opened (named apart from marketing's LoanDisbursed, another contract on another queue). */
export const customerLoanDisbursedV1 = defineContract({
  type: 'CustomerLoanDisbursed',
  version: 1,
  schema: z.object({ customerId: customerIdSchema, loanId }),
});

export const customerLoanRepaidV1 = defineContract({
  type: 'CustomerLoanRepaid',
  version: 1,
  schema: z.object({ customerId: customerIdSchema, loanId }),
});

/** The customer's account fell into arrears, or is back in good standing. */
export const accountStandingChangedV1 = defineContract({
  type: 'AccountStandingChanged',
  version: 1,
  schema: z.object({ customerId: customerIdSchema, standing: z.enum(['good', 'arrears']) }),
});

export const accountClosedV1 = defineContract({
  type: 'AccountClosed',
  version: 1,
  schema: z.object({ customerId: customerIdSchema }),
});

/** What a flag is on: a device, or a customer (whose flag counts on every device they own). */
const flagSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('device'), deviceId: deviceIdSchema }),
  z.object({ kind: z.literal('customer'), customerId: customerIdSchema }),
]);

const flagId = reference('a flag id');

/**
 * A fraud flag, dated and expiring. `resetProof`: the flag was also written to the device's reset-proof storage, so
 * it may follow the device through a factory reset (see attestationSchema).
 */
export const fraudFlagRaisedV1 = defineContract({
  type: 'FraudFlagRaised',
  version: 1,
  schema: z.object({
    subject: flagSubject,
    flagId,
    /** A reason code (no personal data): `ring-velocity`, `chargeback`, `synthetic-identity` ... */
    reason: z.string().min(1).max(200),
    expiresAt: z.iso.datetime({ offset: true }),
    resetProof: z.boolean().default(false),
  }),
});

export const fraudFlagClearedV1 = defineContract({
  type: 'FraudFlagCleared',
  version: 1,
  schema: z.object({ subject: flagSubject, flagId }),
});

/**
 * The device was reset: a new install id where the app had another (ANDROID_ID changes on a factory reset), or the
 * attestation says so. What the attestation says now rides along.
 */
export const deviceResetSignalledV1 = defineContract({
  type: 'DeviceResetSignalled',
  version: 1,
  schema: z.object({
    deviceId: deviceIdSchema,
    signal: z.enum(['new-install-id', 'attestation']),
    installId: installIdSchema.optional(),
    attestation: attestationSchema.optional(),
  }),
});

/** Every device event device-ownership accepts, in one list for its reader. */
export const DEVICE_EVENT_CONTRACTS = [
  appInstalledV1,
  signUpAttemptedV1,
  signUpCompletedV1,
  loginSucceededV1,
  customerLoanDisbursedV1,
  customerLoanRepaidV1,
  accountStandingChangedV1,
  accountClosedV1,
  fraudFlagRaisedV1,
  fraudFlagClearedV1,
  deviceResetSignalledV1,
] as const;

export type DeviceEvent = ContractEnvelope<(typeof DEVICE_EVENT_CONTRACTS)[number]>;
export type DeviceEventType = DeviceEvent['type'];
