/**
 * What a backend is told when it publishes: an event whose optional identifiers cannot all be used is still sent,
 * with a warning per identifier left out; only what makes the event meaningless refuses it.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MarketingEventInput } from './events';
import { SAMPLE_ANDROID_DEVICE } from './testing';
import { publishMarketingEvents } from './publish';

/** An SQS client that accepts every message and keeps the bodies it was sent. */
function acceptingSqs() {
  const bodies: Record<string, unknown>[] = [];
  const client = {
    send: async (command: SendMessageBatchCommand) => {
      const entries = command.input.Entries ?? [];
      for (const entry of entries) bodies.push(JSON.parse(entry.MessageBody!) as Record<string, unknown>);
      return { Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] };
    },
  };
  return { sqs: client as unknown as SQSClient, bodies };
}

const approval = (customer: Record<string, unknown>): MarketingEventInput => ({
  type: 'LoanApproved',
  data: {
    customer: { customerId: 'c-1', ...customer },
    device: SAMPLE_ANDROID_DEVICE,
    applicationId: 'a-1',
    loanId: 'l-1',
    product: 'personal-loan',
    amount: 1500,
    currency: 'GBP',
  },
});

describe('publishMarketingEvents', () => {
  it('sends an event whose optional identifiers are unusable, without them, and says which and why', async () => {
    const { sqs, bodies } = acceptingSqs();
    const added: [string, number][] = [];
    const metrics = { addMetric: (name: string, _unit: string, n: number) => void added.push([name, n]) };
    const [result] = await publishMarketingEvents(
      { sqs, queueUrl: 'https://sqs.test/q' },
      [approval({ dateOfBirth: '03/04/1997', country: 'Narnia', phone: '0712 345 678', email: 'alex@example.com' })],
      { metrics: metrics as unknown as Metrics },
    );
    expect(result).toMatchObject({
      status: 'sent',
      warnings: [
        { field: 'customer.country', reason: expect.stringContaining('is not a country') },
        { field: 'customer.phone', reason: expect.stringContaining('no country to read it with') },
        { field: 'customer.dateOfBirth', reason: expect.stringContaining('send YYYY-MM-DD') },
      ],
    });
    expect((bodies[0]!.data as { customer: unknown }).customer).toEqual({
      customerId: 'c-1',
      email: 'alex@example.com',
    });
    expect(added.sort()).toEqual([
      ['IdentifierLeftOut.country', 1],
      ['IdentifierLeftOut.dateOfBirth', 1],
      ['IdentifierLeftOut.phone', 1],
    ]);
  });

  it('sends identifiers as written elsewhere in their canonical form, with no warning', async () => {
    const { sqs, bodies } = acceptingSqs();
    const [result] = await publishMarketingEvents({ sqs, queueUrl: 'https://sqs.test/q' }, [
      approval({ dateOfBirth: '19970216', country: ' USA', phone: '(650) 555-1212', firstName: 'Dr. Ana\u200B' }),
    ]);
    expect(result).toEqual({ eventId: 'LoanApproved:l-1', status: 'sent', messageId: 'm-0', attempts: 1 });
    expect((bodies[0]!.data as { customer: unknown }).customer).toEqual({
      customerId: 'c-1',
      dateOfBirth: '1997-02-16',
      country: 'US',
      phone: '+16505551212',
      firstName: 'Ana',
    });
  });

  it("reads national phones with a single-market backend's defaultCountry, and refuses a wrong one before sending", async () => {
    const { sqs, bodies } = acceptingSqs();
    const target = { sqs, queueUrl: 'https://sqs.test/q' };
    const [result] = await publishMarketingEvents(target, [approval({ phone: '0712 345 678' })], {
      defaultCountry: 'Kenya',
    });
    expect(result).toEqual({ eventId: 'LoanApproved:l-1', status: 'sent', messageId: 'm-0', attempts: 1 });
    expect((bodies[0]!.data as { customer: unknown }).customer).toEqual({ customerId: 'c-1', phone: '+254712345678' });
    await expect(
      publishMarketingEvents(target, [approval({ phone: '0712 345 678' })], { defaultCountry: 'Britain' }),
    ).rejects.toThrow(
      `publishMarketingEvents' defaultCountry: "Britain" is not a country: send an ISO 3166-1 alpha-2 code such as GB`,
    );
    expect(bodies).toHaveLength(1);
  });

  it('still refuses what makes an event meaningless, naming the field', async () => {
    const { sqs, bodies } = acceptingSqs();
    const event = approval({});
    const results = await publishMarketingEvents({ sqs, queueUrl: 'https://sqs.test/q' }, [
      { ...event, data: { ...event.data, amount: 0 } } as MarketingEventInput,
      { ...event, data: { ...event.data, customer: { customerId: '' } } } as MarketingEventInput,
    ]);
    expect(results.map((r) => [r.status, 'reason' in r ? r.reason : ''])).toEqual([
      ['invalid', expect.stringContaining('amount')],
      ['invalid', expect.stringContaining('customer.customerId')],
    ]);
    expect(bodies).toEqual([]);
  });
});
