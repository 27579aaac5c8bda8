import { createHash } from 'node:crypto';
import { InvalidMessageError } from '../errors';
import { createContractReader, defineContract, messageRef } from './envelope';
import { z } from 'zod';

/** A contract of the test's own, shaped as a service's would be (nested fields, numbers, formats). */
const ruleSetPublishedV1 = defineContract({
  type: 'RuleSetPublished',
  version: 1,
  schema: z.object({
    ruleSetVersion: z.string().regex(/^[0-9a-f]{16,64}$/),
    location: z.object({ bucket: z.string().min(3), key: z.string().min(1) }),
    ruleCount: z.number().int().nonnegative(),
    publishedAt: z.iso.datetime({ offset: true }),
  }),
});

const validRuleSet = {
  ruleSetVersion: 'a'.repeat(64),
  location: { bucket: 'rules-bucket', key: `rules/${'a'.repeat(64)}.snoop` },
  ruleCount: 52,
  publishedAt: '2026-11-22T01:00:00.000Z',
};

describe('message contracts', () => {
  const reader = createContractReader([ruleSetPublishedV1]);

  it('round-trips a valid envelope through JSON', () => {
    const envelope = ruleSetPublishedV1.create(validRuleSet, { id: 'rs-1', correlationId: 'corr-1' });
    expect(reader.read(JSON.stringify(envelope))).toEqual(envelope);
    expect(envelope).toMatchObject({ id: 'rs-1', type: 'RuleSetPublished', version: 1, correlationId: 'corr-1' });
  });

  it('names the invalid field and what it must be', () => {
    const body = JSON.stringify(ruleSetPublishedV1.create(validRuleSet));
    const broken = body.replace('"ruleCount":52', '"ruleCount":"many"');
    expect(() => reader.read(broken)).toThrow(InvalidMessageError);
    expect(() => reader.read(broken)).toThrow(/data\.ruleCount: .*number/);
  });

  it('names nested fields with their full path', () => {
    expect(() => ruleSetPublishedV1.create({ ...validRuleSet, location: { bucket: 'x', key: '' } })).toThrow(
      /data\.location\.bucket: .*data\.location\.key:/s,
    );
  });

  it('rejects an unknown version, listing the known ones', () => {
    const envelope = { ...ruleSetPublishedV1.create(validRuleSet), version: 7 };
    expect(() => reader.read(JSON.stringify(envelope))).toThrow(
      /unknown version 7 of RuleSetPublished.*known versions: 1/,
    );
  });

  it('rejects an unknown type, listing what the consumer accepts', () => {
    const envelope = { ...ruleSetPublishedV1.create(validRuleSet), type: 'LoanApproved' };
    expect(() => reader.read(JSON.stringify(envelope))).toThrow(
      /unknown message type "LoanApproved".*RuleSetPublished v1/,
    );
  });

  it('rejects bodies that are not JSON or not envelopes', () => {
    expect(() => reader.read('not json')).toThrow(/not JSON/);
    expect(() => reader.read(JSON.stringify({ hello: 'world' }))).toThrow(/not a valid envelope: id: /);
  });

  it('routes each version to its own schema', () => {
    const v1 = defineContract({ type: 'Thing', version: 1, schema: z.object({ a: z.string() }) });
    const v2 = defineContract({ type: 'Thing', version: 2, schema: z.object({ a: z.string(), b: z.number() }) });
    const both = createContractReader([v1, v2]);
    expect(both.read(JSON.stringify(v1.create({ a: 'x' }))).data).toEqual({ a: 'x' });
    expect(both.read(JSON.stringify(v2.create({ a: 'x', b: 1 }))).data).toEqual({ a: 'x', b: 1 });
    expect(() => createContractReader([v1, v1])).toThrow(/registered twice/);
  });

  it('never puts the text of a body that is not JSON in the reason, only its length', () => {
    const leaky = 'email=jane.doe@example.com&phone=07700900123';
    expect(() => reader.read(leaky)).toThrow(`message body is not JSON (${leaky.length} characters;`);
    try {
      reader.read(leaky);
    } catch (error) {
      expect(String(error)).not.toMatch(/jane|07700/);
    }
    expect.assertions(2);
  });

  it('names a message by a pseudonym of its id, never by the id (which may carry a customer id)', () => {
    const registration = defineContract({
      type: 'RegistrationCompleted',
      version: 1,
      schema: z.object({ customerId: z.string(), method: z.enum(['email', 'phone']) }),
    });
    const envelope = {
      ...registration.create({ customerId: 'cust-4821', method: 'email' }, { id: 'RegistrationCompleted:cust-4821' }),
    };
    const broken = JSON.stringify({ ...envelope, data: { customerId: 'cust-4821', method: 'pigeon' } });
    const expectedRef = `ref ${createHash('sha256').update('RegistrationCompleted:cust-4821').digest('hex').slice(0, 12)}`;
    expect(messageRef('RegistrationCompleted:cust-4821')).toBe(expectedRef);
    const reasons = [
      () => createContractReader([registration]).read(broken),
      () => createContractReader([registration]).read(JSON.stringify({ ...envelope, version: 2 })),
      () => reader.read(JSON.stringify(envelope)),
    ].map((read) => {
      try {
        read();
        return 'no error';
      } catch (error) {
        return String(error);
      }
    });
    expect(reasons).toEqual([
      expect.stringContaining(`RegistrationCompleted v1 message ${expectedRef} is invalid: data.method`),
      expect.stringContaining(`unknown version 2 of RegistrationCompleted (${expectedRef})`),
      expect.stringContaining(`unknown message type "RegistrationCompleted" (${expectedRef})`),
    ]);
    for (const reason of reasons) expect(reason).not.toContain('cust-4821');
  });
});

describe('the reasons a dead letter carries, word for word (operators act on them)', () => {
  const note = defineContract({ type: 'Note', version: 2, schema: z.object({ text: z.string() }) });
  const reader = createContractReader([note]);
  const ref = messageRef('n-1');
  const envelope = (fields: Record<string, unknown>) =>
    JSON.stringify({
      id: 'n-1',
      type: 'Note',
      version: 2,
      occurredAt: '2026-11-22T01:00:00.000Z',
      correlationId: 'n-1',
      data: { text: 'x' },
      ...fields,
    });

  it.each([
    [
      'invalid data',
      envelope({ data: { text: 1 } }),
      `Note v2 message ${ref} is invalid: data.text: Invalid input: expected string, received number. ` +
        'Fix the producer so that it sends data matching the Note v2 contract.',
    ],
    [
      'not JSON',
      '{',
      'message body is not JSON (1 characters; its text is kept in the message, never in a reason or a log). ' +
        'Producers must send a JSON envelope {id, type, version, occurredAt, correlationId, data}.',
    ],
    [
      'not an envelope',
      JSON.stringify({ id: 'n-1' }),
      expect.stringMatching(
        /^message is not a valid envelope: type: .+\. Publish through the shared producer, which builds envelopes from a contract\.$/,
      ),
    ],
    [
      'an unknown type',
      envelope({ type: 'Memo' }),
      `unknown message type "Memo" (${ref}); this consumer accepts Note v2`,
    ],
    [
      'an unknown version',
      envelope({ version: 3 }),
      `unknown version 3 of Note (${ref}); known versions: 2. Deploy a consumer that understands it, then redrive.`,
    ],
  ])('%s', (_, body, reason) => {
    let thrown: unknown;
    try {
      reader.read(body);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidMessageError);
    expect((thrown as Error).message).toEqual(reason);
  });

  it('lists what a reader accepts, and refuses an envelope of another type or version', () => {
    expect(createContractReader([note, ruleSetPublishedV1]).accepts).toEqual(['Note v2', 'RuleSetPublished v1']);
    const parsed = JSON.parse(envelope({})) as Parameters<typeof note.parse>[0];
    expect(note.parse(parsed).data).toEqual({ text: 'x' });
    expect(() => note.parse({ ...parsed, version: 1 })).toThrow(`expected a Note v2 message, got Note v1 (${ref})`);
    expect(() => note.parse({ ...parsed, type: 'Memo' })).toThrow(`expected a Note v2 message, got Memo v2 (${ref})`);
  });
});
