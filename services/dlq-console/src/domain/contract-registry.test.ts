import { loanApprovedV1 } from '@backbone/marketing-events/contracts';
import { maskByName, maskValue } from '@backbone/shared';
import { maskMessageBody } from './contract-registry';

const approved = loanApprovedV1.create(
  {
    customer: {
      customerId: 'cust-1',
      email: 'jane.doe@example.com',
      phone: '+447700900123',
      firstName: 'Jane',
      lastName: 'Doe',
      dateOfBirth: '1990-04-01',
      country: 'GB',
    },
    device: {
      platform: 'android',
      appId: 'com.lender.app',
      appVersion: '1.2.3',
      osVersion: '14',
      advertiserTrackingEnabled: true,
      applicationTrackingEnabled: true,
    },
    applicationId: 'app-1',
    loanId: 'loan-1',
    product: 'personal-loan',
    amount: 1500,
    currency: 'GBP',
  },
  { id: 'LoanApproved:loan-1' },
);

describe('masking personal data', () => {
  it('masks what the contract marks personal, keeping each value’s shape, and lists the paths (never the values)', () => {
    const { text, masked } = maskMessageBody(JSON.stringify(approved));
    const shown = JSON.parse(text) as {
      id: string;
      correlationId: string;
      data: { customer: unknown; amount: number };
    };
    expect(shown.data.customer).toEqual({
      customerId: 'xxxx-9',
      email: 'xxxx.xxx@xxxxxxx.xxx',
      phone: '+999999999999',
      firstName: 'xxxx',
      lastName: 'xxx',
      dateOfBirth: '9999-99-99',
      country: 'GB',
    });
    expect(shown.data.amount).toBe(1500);
    // The envelope's ids embed the loan's: masked, their shape kept.
    expect(shown.id).toBe('XxxxXxxxxxxx:xxxx-9'.replace(/X/g, 'x'));
    expect(shown.correlationId).not.toContain('loan-1');
    expect(masked.sort()).toEqual(
      [
        'correlationId',
        'data.applicationId',
        'data.customer.customerId',
        'data.loanId',
        'id',
        'data.customer.dateOfBirth',
        'data.customer.email',
        'data.customer.firstName',
        'data.customer.lastName',
        'data.customer.phone',
      ].sort(),
    );
    for (const secret of ['jane.doe', '900123', 'Jane', 'Doe', '1990', 'cust-1', 'loan-1', 'app-1'])
      expect(text).not.toContain(secret);
  });

  it('masks fields named like personal data in a message no contract describes, and hides a body that is not JSON', () => {
    const { text, masked } = maskMessageBody(
      JSON.stringify({ type: 'Unknown', data: { email: 'a@b.co', items: [{ name: 'Bob', qty: 2 }] } }),
    );
    expect(JSON.parse(text)).toEqual({ type: 'Unknown', data: { email: 'x@x.xx', items: [{ name: 'xxx', qty: 2 }] } });
    expect(masked).toEqual(['data.email', 'data.items[0].name']);
    expect(maskMessageBody('jane@example.com called').text).not.toContain('jane');
  });

  it('keeps punctuation and lengths, nothing else', () => {
    expect(maskValue('+44 (0)7700-900123')).toBe('+99 (9)9999-999999');
    expect(maskValue({ a: ['Zoë', 42] })).toEqual({ a: ['xxx', 9] });
    expect(maskByName({ Phone_Number: '123' })).toEqual({ Phone_Number: '999' });
  });
});
