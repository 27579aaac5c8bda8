/**
 * The marketing event contracts' limits, at their edges: what a backend may send, and what it is told when it
 * sends something else. Their ids: one per business fact.
 */
import type { z } from 'zod';
import {
  firstRepaymentMadeV1,
  loanApplicationSubmittedV1,
  loanApprovedV1,
  loanDisbursedV1,
  marketingBusinessKey,
  marketingEventId,
  registrationCompletedV1,
  type MarketingEventInput,
} from './events';

const customer = { customerId: 'c-1' };
const device = {
  platform: 'ios' as const,
  appId: 'com.example.lending',
  appVersion: '4.2.0',
  osVersion: '17.5',
  advertiserTrackingEnabled: true,
  applicationTrackingEnabled: false,
};
const money = { product: 'personal-loan', amount: 1500, currency: 'GBP' };

/** Whether `registration` accepts the data with one field changed (path like "customer.email"). */
function accepts(schema: z.ZodType, base: Record<string, unknown>, path: string, value: unknown): boolean {
  const data = structuredClone(base) as Record<string, Record<string, unknown>>;
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) (data as Record<string, unknown>)[head] = value;
  else data[head]![tail] = value;
  return schema.safeParse(data).success;
}

describe('marketing event contracts', () => {
  const registration = { customer, device };

  it.each<[string, unknown, boolean]>([
    ['customer.customerId', '', false],
    ['customer.customerId', 'c'.repeat(128), true],
    ['customer.customerId', 'c'.repeat(129), false],
    ['customer.email', `${'e'.repeat(242)}@example.com`, true],
    ['customer.email', `${'e'.repeat(243)}@example.com`, false],
    ['customer.email', `  ${'e'.repeat(242)}@example.com  `, true],
    ['customer.phone', '+'.padEnd(32, '1'), true],
    ['customer.phone', '+'.padEnd(33, '1'), false],
    ['customer.firstName', 'f'.repeat(100), true],
    ['customer.firstName', 'f'.repeat(101), false],
    ['customer.lastName', 'l'.repeat(100), true],
    ['customer.lastName', 'l'.repeat(101), false],
    ['customer.dateOfBirth', '1990-04-01', true],
    ['customer.dateOfBirth', '01/04/1990', false],
    ['customer.country', 'gb', true],
    ['customer.country', 'GBR', false],
    ['customer.country', 'G', false],
    ['customer.country', '12', false],
    ['device.platform', 'android', true],
    ['device.platform', 'web', false],
    ['device.appId', '', false],
    ['device.appId', 'a'.repeat(128), true],
    ['device.appId', 'a'.repeat(129), false],
    ['device.appVersion', '', false],
    ['device.appVersion', 'v'.repeat(32), true],
    ['device.appVersion', 'v'.repeat(33), false],
    ['device.osVersion', '', false],
    ['device.osVersion', 'o'.repeat(32), true],
    ['device.osVersion', 'o'.repeat(33), false],
    ['device.model', 'm'.repeat(64), true],
    ['device.model', 'm'.repeat(65), false],
    ['device.locale', 'l'.repeat(16), true],
    ['device.locale', 'l'.repeat(17), false],
    ['device.timezone', 't'.repeat(64), true],
    ['device.timezone', 't'.repeat(65), false],
    ['device.appInstanceId', '0123456789abcdef0123456789abcdef', true],
    ['device.appInstanceId', '0123456789ABCDEF0123456789ABCDEF', false],
    ['device.appInstanceId', '0123456789abcdef0123456789abcde', false],
    ['device.appInstanceId', 'x0123456789abcdef0123456789abcdef', false],
    ['device.appInstanceId', '0123456789abcdef0123456789abcdefx', false],
    ['device.advertiserTrackingEnabled', undefined, false],
    ['method', 'apple', true],
    ['method', 'email', true],
    ['method', 'phone', true],
    ['method', 'google', true],
    ['method', 'sms', false],
  ])('a registration with %s = %j: %s', (path, value, accepted) => {
    expect(accepts(registrationCompletedV1.schema, registration, path, value)).toBe(accepted);
  });

  it('keeps an email as sent, trimmed', () => {
    expect(
      registrationCompletedV1.create({ customer: { customerId: 'c', email: ' a@b.c ' }, device }).data.customer.email,
    ).toBe('a@b.c');
  });

  it.each<[string, unknown, boolean]>([
    ['amount', 0.01, true],
    ['amount', 0, false],
    ['amount', 1_000_000, true],
    ['amount', 1_000_001, false],
    ['currency', 'EUR', true],
    ['currency', 'eur', false],
    ['currency', 'EURO', false],
    ['currency', 'XEUR', false],
    ['product', 'p'.repeat(64), true],
    ['product', 'p'.repeat(65), false],
    ['loanId', '', false],
    ['loanId', 'l'.repeat(128), true],
    ['loanId', 'l'.repeat(129), false],
  ])('a disbursement with %s = %j: %s', (path, value, accepted) => {
    expect(accepts(loanDisbursedV1.schema, { customer, device, loanId: 'l-1', ...money }, path, value)).toBe(accepted);
  });

  it('asks each loan event for its own business ids', () => {
    const base = { customer, device, ...money };
    expect(loanApplicationSubmittedV1.schema.safeParse({ ...base, applicationId: 'a-1' }).success).toBe(true);
    expect(loanApplicationSubmittedV1.schema.safeParse({ ...base, applicationId: '' }).success).toBe(false);
    expect(loanApprovedV1.schema.safeParse({ ...base, applicationId: 'a-1', loanId: 'l-1' }).success).toBe(true);
    expect(loanApprovedV1.schema.safeParse({ ...base, applicationId: 'a-1' }).success).toBe(false);
    expect(
      firstRepaymentMadeV1.schema.safeParse({ customer, device, loanId: 'l-1', amount: 1, currency: 'GBP' }).success,
    ).toBe(true);
    expect(firstRepaymentMadeV1.schema.safeParse({ customer, device, loanId: 'l-1', currency: 'GBP' }).success).toBe(
      false,
    );
    expect(
      [registrationCompletedV1, loanApplicationSubmittedV1, loanApprovedV1, loanDisbursedV1, firstRepaymentMadeV1].map(
        (c) => [c.type, c.version],
      ),
    ).toEqual([
      ['RegistrationCompleted', 1],
      ['LoanApplicationSubmitted', 1],
      ['LoanApproved', 1],
      ['LoanDisbursed', 1],
      ['FirstRepaymentMade', 1],
    ]);
  });

  it('names each event by its type and the business fact it records', () => {
    const inputs: MarketingEventInput[] = [
      { type: 'RegistrationCompleted', data: { customer: { customerId: 'c-9' }, device: device } },
      { type: 'LoanApplicationSubmitted', data: { customer, device: device, applicationId: 'a-9', ...money } },
      {
        type: 'LoanApproved',
        data: { customer, device: device, applicationId: 'a-9', loanId: 'l-9', ...money },
      },
      { type: 'LoanDisbursed', data: { customer, device: device, loanId: 'l-8', ...money } },
      {
        type: 'FirstRepaymentMade',
        data: { customer, device: device, loanId: 'l-7', amount: 1, currency: 'GBP' },
      },
    ];
    expect(inputs.map((input) => marketingEventId(input.type, marketingBusinessKey(input)))).toEqual([
      'RegistrationCompleted:c-9',
      'LoanApplicationSubmitted:a-9',
      'LoanApproved:l-9',
      'LoanDisbursed:l-8',
      'FirstRepaymentMade:l-7',
    ]);
  });
});
