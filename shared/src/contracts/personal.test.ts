import { z } from 'zod';
import {
  embeddedMessage,
  isPersonalName,
  MAX_TEXT_MASKED,
  maskByName,
  maskBySchema,
  maskText,
  maskValue,
  newMaskSink,
  personal,
  personalMarking,
  personalText,
} from './personal';

describe('personalMarking', () => {
  it('says how a schema is marked, and nothing for an unmarked one', () => {
    expect(personalMarking(personal(z.string()))).toBe('value');
    expect(personalMarking(personalText(z.string()))).toBe('text');
    expect(personalMarking(embeddedMessage(z.string()))).toBe('message');
    expect(personalMarking(z.string())).toBeUndefined();
    expect(personalMarking(z.string().meta({ description: 'a note' }))).toBeUndefined();
  });
});

describe('isPersonalName', () => {
  it.each([
    'email',
    'mobilePhone',
    'birth_date',
    'appInstanceId',
    'surname',
    'deviceID',
    'customer-name',
    'home__address',
    // Personal only as one word: none of its parts is.
    'PostCode',
    'passPort',
  ])('%s is personal', (key) => expect(isPersonalName(key)).toBe(true));

  it.each(['status', 'username', 'reason', 'attempts', 'postal', 'identity', 'code'])('%s is not', (key) =>
    expect(isPersonalName(key)).toBe(false),
  );
});

describe('maskValue', () => {
  it('keeps the shape: letters become x, digits 9, anything else stays', () => {
    expect(maskValue('+44 7700-900123')).toBe('+99 9999-999999');
    expect(maskValue('Jane.Doe@Example.com')).toBe('xxxx.xxx@xxxxxxx.xxx');
    expect(maskValue('AZaz09@[`{/:')).toBe('xxxx99@[`{/:');
  });

  it('masks letters and digits of every script by their Unicode class', () => {
    expect(maskValue('José ٣٤')).toBe('xxxx 99');
    expect(maskValue('Zoë 12')).toBe('xxx 99');
  });

  it('masks numbers, arrays and objects inside out, and leaves what holds nothing', () => {
    expect(maskValue(1042)).toBe(9);
    expect(maskValue(['ab', 7, { c: 'd1' }])).toEqual(['xx', 9, { c: 'x9' }]);
    expect(maskValue(null)).toBeNull();
    expect(maskValue(undefined)).toBeUndefined();
    expect(maskValue(true)).toBe(true);
  });
});

describe('maskText', () => {
  it.each([
    ['at 2026-12-07T10:00 sent', 'at <time> sent'],
    ['at 2026-12-07 10:00:05.123+01:00 sent', 'at <time> sent'],
    ['at 2026-12-07T10:00:05Z sent', 'at <time> sent'],
    ['at 2026-12-07T10:00+0100 sent', 'at <time> sent'],
    ['at 2026-12-07T10:00-05:00.', 'at <time>.'],
    ['to jane.doe+x@mail.example.com now', 'to <email> now'],
    ['id 0f8fad5b-d9cb-469f-a165-70867728950e here', 'id <id> here'],
    ['born 1990-01-02.', 'born <date>.'],
    ['born 1990-01-02', 'born <date>'],
    ['call +254 712 345 678.', 'call <number>.'],
    // A number's brackets before its first digit stay: the sentence still reads.
    ['call (020) 7946-0018', 'call (<number>'],
    ['hash 12ab34cd56 seen', 'hash <id> seen'],
    ['hash deadbeef12 seen', 'hash <id> seen'],
    ['customer c-1042 failed', 'customer <id> failed'],
    ['event LoanApproved:l-77 failed', 'event <id> failed'],
    ['user u_9@x done', 'user <id> done'],
  ])('%j reads %j', (text, masked) => expect(maskText(text)).toBe(masked));

  it.each([
    'a well-known e.164 number in utf-8 over http/1.1 (rfc-7231, iso-8601, sha-256, v2.1.0)',
    'deadbeefcafe is a word of hex letters only',
    'short runs 12 345 stay',
    'at 10:00 today',
  ])('keeps %j as it is', (text) => expect(maskText(text)).toBe(text));

  it('replaces the known values first, longest first, wherever they are', () => {
    expect(maskText('Jane Doe wrote; Jane again', ['Jane', 'Jane Doe'])).toBe('<personal> wrote; <personal> again');
    expect(maskText('code 4321 for Ann', ['4321', 'Ann', 'absent'])).toBe('code <personal> for <personal>');
  });

  it('leaves known values under three characters to the patterns (they would blank common words)', () => {
    expect(maskText('Al is at home', ['Al', 'is'])).toBe('Al is at home');
  });

  it('looks at the first MAX_TEXT_MASKED characters and cuts the rest', () => {
    const exactly = 'a'.repeat(MAX_TEXT_MASKED);
    expect(maskText(exactly)).toBe(exactly);
    expect(maskText(`${exactly}b`)).toBe(`${exactly}…`);
    expect(maskText(`${'a '.repeat(MAX_TEXT_MASKED / 2)}c-1042`)).toBe(`${'a '.repeat(MAX_TEXT_MASKED / 2)}…`);
  });
});

/** A contract shaped as a service's: personal values, a text that may quote them, an embedded message. */
const deadLetter = z.object({
  customer: z.object({ secret: personal(z.string()), age: personal(z.number()), tags: personal(z.array(z.string())) }),
  reason: personalText(z.string()),
  body: embeddedMessage(z.string()),
  attempts: z.number(),
});

describe('maskBySchema', () => {
  it('masks what the contract marks, quotes of its values in texts among them, and records the paths', () => {
    const sink = newMaskSink();
    const masked = maskBySchema(
      {
        customer: { secret: 'Tanaka', age: 4321, tags: ['gold member'] },
        reason: 'Tanaka (4321, gold member) was refused',
        body: 'Tanaka again',
        attempts: 3,
      },
      deadLetter,
      '',
      sink,
    );
    expect(masked).toEqual({
      customer: { secret: 'xxxxxx', age: 9, tags: ['xxxx xxxxxx'] },
      reason: '<personal> (<personal>, <personal>) was refused',
      body: '<personal> again',
      attempts: 3,
    });
    expect(sink.masked).toEqual(['customer.secret', 'customer.age', 'customer.tags', 'reason', 'body']);
    expect([...sink.values].sort()).toEqual(['4321', 'Tanaka', 'gold member']);
  });

  it("masks an embedded message by the sink's own masker, and as text without one", () => {
    const sink = newMaskSink((body) => `masked(${body.length})`);
    expect(maskBySchema('Tanaka 2026-01-02', embeddedMessage(z.string()), 'body', sink)).toBe('masked(17)');
    expect(maskBySchema('Tanaka 2026-01-02', personalText(z.string()), 'reason', sink)).toBe('Tanaka <date>');
    expect(maskBySchema('Tanaka 2026-01-02', embeddedMessage(z.string()))).toBe('Tanaka <date>');
    expect(sink.masked).toEqual(['body', 'reason']);
  });

  it('masks a marked text that is not text whole, as a value', () => {
    const sink = newMaskSink();
    expect(maskBySchema({ said: 'Tanaka' }, personalText(z.string()), 'reason', sink)).toEqual({ said: 'xxxxxx' });
    expect(maskBySchema(['Tanaka'], embeddedMessage(z.string()), '', sink)).toEqual(['xxxxxx']);
    expect(sink.masked).toEqual(['reason', '(all)']);
    expect([...sink.values]).toEqual(['Tanaka']);
  });

  it('names the whole "(all)" when the marked value is the root', () => {
    const sink = newMaskSink();
    expect(maskBySchema('Tanaka', personal(z.string()), '', sink)).toBe('xxxxxx');
    expect(maskBySchema('Tanaka said', personalText(z.string()), '', sink)).toBe('<personal> said');
    expect(sink.masked).toEqual(['(all)', '(all)']);
  });

  it('leaves an absent personal value absent, and records nothing for it', () => {
    const schema = z.object({ secret: personal(z.string().nullable()), other: personal(z.string().optional()) });
    const sink = newMaskSink();
    expect(maskBySchema({ secret: null, other: undefined }, schema, '', sink)).toEqual({
      secret: null,
      other: undefined,
    });
    expect(sink.masked).toEqual([]);
  });

  const inner = z.object({ secret: personal(z.string()), kept: z.string() });
  it.each([
    ['optional', inner.optional()],
    ['nullable', inner.nullable()],
    ['default', inner.default({ secret: 's', kept: 'k' })],
    ['prefault', inner.prefault({ secret: 's', kept: 'k' })],
    ['readonly', inner.readonly()],
    ['catch', inner.catch({ secret: 's', kept: 'k' })],
    ['pipe', inner.transform((value) => value.kept)],
  ])('looks through %s to the schema inside', (_, schema) => {
    expect(maskBySchema({ secret: 'Tanaka', kept: 'ok' }, schema)).toEqual({ secret: 'xxxxxx', kept: 'ok' });
  });

  it('masks by name the fields the contract does not know, with their paths', () => {
    const sink = newMaskSink();
    expect(
      maskBySchema({ kept: 'ok', secret: 'x1', extra: { email: 'a@b.co', note: 'hi' } }, inner, 'm', sink),
    ).toEqual({
      kept: 'ok',
      secret: 'x9',
      extra: { email: 'x@x.xx', note: 'hi' },
    });
    expect(sink.masked).toEqual(['m.secret', 'm.extra.email']);
  });

  it('masks whole what is not the shape the contract says (it cannot be shown as harmless)', () => {
    const sink = newMaskSink();
    expect(maskBySchema('Tanaka 42', inner, 'a', sink)).toBe('xxxxxx 99');
    expect(maskBySchema(['Tanaka'], inner, 'b', sink)).toEqual(['xxxxxx']);
    expect(maskBySchema({ secret: 'ab1' }, z.array(inner), 'c', sink)).toEqual({ secret: 'xx9' });
    expect(maskBySchema('Tanaka', z.record(z.string(), inner), 'd', sink)).toBe('xxxxxx');
    expect(maskBySchema(['Tanaka'], z.record(z.string(), inner), 'e', sink)).toEqual(['xxxxxx']);
    expect(maskBySchema(null, inner, 'f', sink)).toBeNull();
    expect(sink.masked).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('walks arrays and records with the path of each item', () => {
    const sink = newMaskSink();
    expect(
      maskBySchema(
        { list: [{ secret: 'ab', kept: 'k' }], byKey: { one: { secret: 'cd', kept: 'k' } } },
        z.object({ list: z.array(inner), byKey: z.record(z.string(), inner) }),
        '',
        sink,
      ),
    ).toEqual({ list: [{ secret: 'xx', kept: 'k' }], byKey: { one: { secret: 'xx', kept: 'k' } } });
    expect(sink.masked).toEqual(['list[0].secret', 'byKey.one.secret']);
  });

  it('lets the names decide under a union', () => {
    const sink = newMaskSink();
    const schema = z.union([z.object({ phone: z.string() }), z.object({ other: z.string() })]);
    expect(maskBySchema({ phone: '+4477', status: 'x' }, schema, 'u', sink)).toEqual({ phone: '+9999', status: 'x' });
    expect(sink.masked).toEqual(['u.phone']);
  });
});

describe('maskByName', () => {
  it('masks the fields whose names are personal, at any depth, in arrays with their index', () => {
    const sink = newMaskSink();
    expect(
      maskByName(
        { items: [{ email: 'a@b.co', n: 1 }, 'plain'], meta: { customerId: 'c-1', note: 'hi' }, count: 2 },
        '',
        sink,
      ),
    ).toEqual({ items: [{ email: 'x@x.xx', n: 1 }, 'plain'], meta: { customerId: 'x-9', note: 'hi' }, count: 2 });
    expect(sink.masked).toEqual(['items[0].email', 'meta.customerId']);
    expect(maskByName([{ name: 'Al' }], 'root')).toEqual([{ name: 'xx' }]);
    expect(maskByName('Tanaka')).toBe('Tanaka');
    expect(maskByName(null)).toBeNull();
  });
});
