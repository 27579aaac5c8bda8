import { randomUUID } from 'node:crypto';
import type { MarketingEventInput } from './events';

/** An Android phone with tracking consent and a Firebase app instance id (GA4 needs one). */
export const SAMPLE_ANDROID_DEVICE = {
  platform: 'android' as const,
  appId: 'com.example.lending',
  appVersion: '4.2.0',
  osVersion: '14',
  appInstanceId: '0123456789abcdef0123456789abcdef',
  advertiserTrackingEnabled: true,
  applicationTrackingEnabled: true,
};

/**
 * The i-th post-install event of a run, for tests and benchmarks: the five types in turn (i % 5), a
 * customer of its own with every identifier Meta hashes, an app instance of its own (as GA4 sees them).
 */
export function sampleMarketingEvent(run: string, i: number, occurredAt?: Date): MarketingEventInput {
  const customer = {
    customerId: `${run}-c${i}`,
    email: `Customer.${i}@Example.com`,
    phone: `+44 (0)7700 ${900000 + (i % 99_999)}`,
    firstName: 'Alex',
    lastName: 'Morgan',
    dateOfBirth: '1990-04-01',
    country: 'GB',
  };
  const device = {
    platform: i % 2 === 0 ? ('android' as const) : ('ios' as const),
    appId: 'com.example.lending',
    appVersion: '4.2.0',
    osVersion: i % 2 === 0 ? '14' : '17.5',
    appInstanceId: randomUUID().replace(/-/g, ''),
    advertiserTrackingEnabled: i % 3 !== 0,
    applicationTrackingEnabled: true,
  };
  const common = { customer, device };
  const loan = { loanId: `${run}-l${i}`, product: 'personal-loan', amount: 500 + (i % 50) * 100, currency: 'GBP' };
  switch (i % 5) {
    case 0:
      return { type: 'RegistrationCompleted', data: { ...common, method: 'email' }, occurredAt };
    case 1:
      return {
        type: 'LoanApplicationSubmitted',
        data: { ...common, applicationId: `${run}-a${i}`, product: loan.product, amount: loan.amount, currency: 'GBP' },
        occurredAt,
      };
    case 2:
      return { type: 'LoanApproved', data: { ...common, ...loan, applicationId: `${run}-a${i}` }, occurredAt };
    case 3:
      return { type: 'LoanDisbursed', data: { ...common, ...loan }, occurredAt };
    default:
      return {
        type: 'FirstRepaymentMade',
        data: { ...common, loanId: loan.loanId, amount: 120, currency: 'GBP' },
        occurredAt,
      };
  }
}
