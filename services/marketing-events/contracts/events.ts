import { z } from 'zod';
import { defineContract, personal, type Envelope } from '@backbone/shared';

/**
 * Post-install marketing events: backend services -> marketing-events -> Meta, GA4, webhooks.
 *
 * Each event type is its own versioned contract. Each carries a stable business id (the customer for a
 * registration, the application or loan otherwise); the envelope id derives from it, and the id each
 * platform deduplicates on derives from the envelope id, so the same fact published twice is one event.
 */

/**
 * Who the event is about. Personal data (marked `personal`, so the dead-letter console masks it): marketing-events
 * hashes it for Meta and never logs it. The optional
 * identifiers are made canonical by publishMarketingEvents before this schema sees them (marketing/identifiers.ts):
 * what a form wrote is accepted there, and what cannot be made canonical is left out with a warning.
 */
export const marketingCustomerSchema = z.object({
  customerId: personal(z.string().min(1).max(128)),
  email: personal(z.string().trim().max(254)).optional(),
  /** E.164 once published ("+447700900123"); an envelope published otherwise may carry any punctuation. */
  phone: personal(z.string().max(32)).optional(),
  firstName: personal(z.string().max(100)).optional(),
  lastName: personal(z.string().max(100)).optional(),
  dateOfBirth: personal(z.iso.date()).optional(),
  /** ISO 3166-1 alpha-2. */
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO country code')
    .optional(),
});

/** The app the event happened in: what Meta's app events and GA4's app streams need. */
export const marketingDeviceSchema = z.object({
  platform: z.enum(['android', 'ios']),
  /** The app's package name or bundle id. */
  appId: z.string().min(1).max(128),
  appVersion: z.string().min(1).max(32),
  osVersion: z.string().min(1).max(32),
  model: z.string().max(64).optional(),
  locale: z.string().max(16).optional(),
  timezone: z.string().max(64).optional(),
  /** Firebase app instance id: GA4 needs it for app streams. */
  appInstanceId: personal(
    z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32 hex characters of the Firebase app instance id'),
  ).optional(),
  /** The user's consent on this device (ATT on iOS). Without it, nothing identifies them to a platform. */
  advertiserTrackingEnabled: z.boolean(),
  applicationTrackingEnabled: z.boolean(),
});

const money = {
  amount: z.number().positive().max(1_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP'),
};

const base = { customer: marketingCustomerSchema, device: marketingDeviceSchema };
/** An application's or a loan's id: a customer's, so personal too. */
const businessId = personal(z.string().min(1).max(128));
const product = z.string().max(64);

export const registrationCompletedV1 = defineContract({
  type: 'RegistrationCompleted',
  version: 1,
  schema: z.object({ ...base, method: z.enum(['email', 'phone', 'google', 'apple']).optional() }),
});

export const loanApplicationSubmittedV1 = defineContract({
  type: 'LoanApplicationSubmitted',
  version: 1,
  schema: z.object({ ...base, applicationId: businessId, product, ...money }),
});

export const loanApprovedV1 = defineContract({
  type: 'LoanApproved',
  version: 1,
  schema: z.object({ ...base, applicationId: businessId, loanId: businessId, product, ...money }),
});

export const loanDisbursedV1 = defineContract({
  type: 'LoanDisbursed',
  version: 1,
  schema: z.object({ ...base, loanId: businessId, product, ...money }),
});

export const firstRepaymentMadeV1 = defineContract({
  type: 'FirstRepaymentMade',
  version: 1,
  schema: z.object({ ...base, loanId: businessId, ...money }),
});

export const MARKETING_EVENT_CONTRACTS = [
  registrationCompletedV1,
  loanApplicationSubmittedV1,
  loanApprovedV1,
  loanDisbursedV1,
  firstRepaymentMadeV1,
] as const;

type Contracts = (typeof MARKETING_EVENT_CONTRACTS)[number];
export type MarketingEventType = Contracts['type'];

/** What a backend passes to publishMarketingEvents: the type and its data, as the contract defines them. */
export type MarketingEventInput = {
  [C in Contracts as C['type']]: { type: C['type']; data: z.input<C['schema']>; occurredAt?: Date | string };
}[MarketingEventType];

export type MarketingEvent = {
  [C in Contracts as C['type']]: Envelope<C['type'], z.output<C['schema']>>;
}[MarketingEventType];

/** The business fact an event records, one per (type, business id): publishing it twice is the same event. */
export function marketingBusinessKey(input: MarketingEventInput | MarketingEvent): string {
  switch (input.type) {
    case 'RegistrationCompleted':
      return input.data.customer.customerId;
    case 'LoanApplicationSubmitted':
      return input.data.applicationId;
    default:
      return input.data.loanId;
  }
}

export const marketingEventId = (type: MarketingEventType, businessKey: string): string => `${type}:${businessKey}`;
