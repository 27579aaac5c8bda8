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
 * Identifiers as sign-up forms and backends in our markets write them (the demo's customers and the publisher's
 * benchmark): most are made canonical; the last three cannot all be used.
 */
export const CUSTOMERS_AS_WRITTEN: readonly Partial<MarketingEventInput['data']['customer']>[] = [
  { phone: '+44 (0)7700 900123', country: 'UK', firstName: 'Mr. Alex', lastName: 'Morgan', dateOfBirth: '1990-04-01' },
  { phone: '0712 345 678', country: 'Kenya', firstName: 'Amina', lastName: 'Otieno', dateOfBirth: '16/02/1997' },
  { phone: '0917 123 4567', country: 'PH', firstName: 'Engr. Paolo', lastName: 'Reyes Jr.', dateOfBirth: '19880512' },
  {
    phone: '+52 1 55 1234 5678',
    country: 'México',
    firstName: 'Lucía',
    lastName: 'García',
    dateOfBirth: 'May 5, 1985',
  },
  { phone: '+९१ ९८७६५ ४३२१०', country: 'IND', firstName: 'Priya\u200B', lastName: 'Sharma', dateOfBirth: '1992-07-30' },
  // International numbers as backends store them, with no country needed: a prefix, or the country code alone.
  { phone: '00\u2009254\u2009722\u2009000\u2009111', firstName: 'Wanjiru', lastName: 'Kamau', dateOfBirth: '1996-3-9' },
  { phone: '447700900789', firstName: 'Oliver', lastName: 'Hughes', dateOfBirth: '1989-11-02T23:30:00-05:00' },
  { phone: '(650) 555-1212', country: ' usa ', firstName: 'Jordan', lastName: 'Lee', dateOfBirth: '03/04/1995' },
  { phone: '12345', country: 'GB', firstName: 'Sam', lastName: 'Taylor', dateOfBirth: '2015-01-01' },
  { phone: '07700 900456', country: 'Britain', firstName: '🙂', lastName: 'Evans' },
];

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
