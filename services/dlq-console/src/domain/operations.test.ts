import { ATTRIBUTE } from '@backbone/shared';
import { letter, loanApprovedBody } from './dead-letters.fixtures';
import {
  type DataEdit,
  editedBody,
  editedFields,
  EXPORT_COLUMNS,
  fixedAttributes,
  InvalidEditError,
  takeFromDlq,
  toCsv,
} from './operations';
import type { DeadLetter } from './dead-letters';
import type { DeadLetterQueue, QueuePort, ReceivedMessage } from './ports';

/**
 * A DLQ that hands out its messages in turn, a few per receive (SQS gives them in no order, a few at a time: what
 * matters to a walk is that what it released comes round again). `depth` is what the DLQ said when the walk began.
 */
function rotatingDlq(messageIds: string[], options: { perReceive?: number; depth?: number } = {}) {
  const present = [...messageIds];
  let cursor = 0;
  const calls = { receives: [] as { max: number; visibilitySeconds: number }[], released: [] as string[] };
  const queues = {
    async receive(_queue: string, max: number, visibilitySeconds: number): Promise<ReceivedMessage[]> {
      calls.receives.push({ max, visibilitySeconds });
      const count = Math.min(options.perReceive ?? max, present.length);
      const out = Array.from({ length: count }, (_, i) => present[(cursor + i) % present.length]!);
      cursor = present.length === 0 ? 0 : (cursor + count) % present.length;
      return out.map((messageId) => ({
        messageId,
        receiptHandle: `r-${messageId}`,
        body: '{}',
        attributes: {},
        receiveCount: 1,
      }));
    },
    async release(_queue: string, receipt: string) {
      calls.released.push(receipt);
    },
  } as unknown as QueuePort;
  const dlq: DeadLetterQueue = {
    name: 'dlq',
    fifo: false,
    sources: ['source'],
    depth: options.depth ?? messageIds.length,
    inFlight: 0,
    retentionSeconds: 60,
    retryWindowSeconds: 30,
  };
  /** Takes a message out of the DLQ, as a redrive's delete does. */
  const taken: string[] = [];
  const take = async (message: ReceivedMessage) => {
    taken.push(message.messageId);
    present.splice(present.indexOf(message.messageId), 1);
    if (cursor > present.length) cursor = 0;
  };
  return { queues, dlq, calls, taken, take };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m-${i + 1}`);

describe('takeFromDlq', () => {
  it('takes every wanted message, releases each other one at once, and stops when none is left to find', async () => {
    const { queues, dlq, calls, taken, take } = rotatingDlq(ids(25));
    const missing = await takeFromDlq(queues, dlq, new Set(['m-3', 'm-12', 'm-25']), take);
    expect(missing).toEqual([]);
    expect(taken).toEqual(['m-3', 'm-12', 'm-25']);
    // Three receives of ten saw the 25; nothing more was asked for once the three were taken.
    expect(calls.receives).toEqual([
      { max: 10, visibilitySeconds: 60 },
      { max: 10, visibilitySeconds: 60 },
      { max: 10, visibilitySeconds: 60 },
    ]);
    expect(calls.released).toHaveLength(30 - 3);
    expect(calls.released).not.toContain('r-m-3');
  });

  it('hides what it receives for the visibility asked', async () => {
    const { queues, dlq, calls, take } = rotatingDlq(ids(2));
    await takeFromDlq(queues, dlq, new Set(['m-2']), take, 5);
    expect(calls.receives).toEqual([{ max: 10, visibilitySeconds: 5 }]);
  });

  it('gives up on an id once the DLQ is seen through and three rounds in a row found nothing', async () => {
    const { queues, dlq, calls, take } = rotatingDlq(ids(25), { perReceive: 2 });
    expect(await takeFromDlq(queues, dlq, new Set(['m-gone']), take)).toEqual(['m-gone']);
    // 25 messages, two a receive: seen through at the 13th receive (which was the 13th fruitless one).
    expect(calls.receives).toHaveLength(13);
  });

  it('gives up after three empty receives when the DLQ emptied since it was counted', async () => {
    const { queues, dlq, calls, take } = rotatingDlq([], { depth: 5 });
    expect(await takeFromDlq(queues, dlq, new Set(['m-1', 'm-2']), take)).toEqual(['m-1', 'm-2']);
    expect(calls.receives).toHaveLength(3);
  });

  it('keeps looking while each round finds one, even past as many messages as the DLQ held at first', async () => {
    // Six wanted messages, one a receive, in a DLQ that said it held two when the walk began.
    const { queues, dlq, taken, take } = rotatingDlq(ids(6), { perReceive: 1, depth: 2 });
    expect(await takeFromDlq(queues, dlq, new Set(ids(6)), take)).toEqual([]);
    expect([...taken].sort()).toEqual(ids(6));
  });

  it('stops after a thousand receives in a DLQ that is never seen through', async () => {
    let n = 0;
    const calls: number[] = [];
    const endless = {
      async receive() {
        calls.push(1);
        return [{ messageId: `new-${++n}`, receiptHandle: `r-${n}`, body: '{}', attributes: {}, receiveCount: 1 }];
      },
      release: async () => undefined,
    } as unknown as QueuePort;
    const dlq = {
      name: 'dlq',
      fifo: false,
      sources: [],
      depth: 1_000_000,
      inFlight: 0,
      retentionSeconds: 60,
      retryWindowSeconds: 30,
    };
    expect(await takeFromDlq(endless, dlq, new Set(['m-1']), async () => undefined)).toEqual(['m-1']);
    expect(calls).toHaveLength(1_000);
  });
});

describe('editedBody', () => {
  const body = loanApprovedBody({ phone: '07700 900123' });
  const withBody = letter(1, { body });
  const dataOf = (text: string) => (JSON.parse(text) as { data: { customer: Record<string, unknown> } }).data;

  it('applies each edit to the data, with or without the data. prefix, and keeps the rest of the message', () => {
    const edited = editedBody(withBody, [
      { path: 'customer.phone', value: '+447700900123' },
      { path: 'data.currency', value: 'EUR' },
    ]);
    const original = JSON.parse(body) as { data: Record<string, unknown> };
    expect(JSON.parse(edited)).toEqual({
      ...original,
      data: {
        ...original.data,
        customer: { ...(original.data['customer'] as object), phone: '+447700900123' },
        currency: 'EUR',
      },
    });
  });

  it('removes a field given no value', () => {
    expect(dataOf(editedBody(withBody, [{ path: 'customer.phone', value: undefined }])).customer).not.toHaveProperty(
      'phone',
    );
  });

  it.each<[DeadLetter, DataEdit[], string]>([
    [
      letter(1, { body: undefined }),
      [{ path: 'currency', value: 'EUR' }],
      'dead letter m-1 has no indexed body to edit (it was too large)',
    ],
    [
      letter(2, { body: '{not json' }),
      [{ path: 'currency', value: 'EUR' }],
      'dead letter m-2 is not JSON; it cannot be edited, only purged',
    ],
    [withBody, [], 'no change given: name at least one field and its new value'],
    ...['', 'customer..phone', '__proto__.polluted', 'constructor', 'customer.prototype'].map(
      (path): [DeadLetter, DataEdit[], string] => [
        withBody,
        [{ path, value: 1 }],
        `"${path}" is not a field path: write it as customer.phone or data.currency`,
      ],
    ),
    [withBody, [{ path: 'currency.code', value: 'EUR' }], '"currency.code": currency is not an object in this message'],
    [withBody, [{ path: 'nothing.deep', value: 1 }], '"nothing.deep": nothing is not an object in this message'],
    // "data." is a prefix only at the start.
    [
      withBody,
      [{ path: 'customer.data.note', value: 'x' }],
      '"customer.data.note": data is not an object in this message',
    ],
  ])('refuses %#, saying what is wrong', (deadLetter, edits, message) => {
    let thrown: unknown;
    try {
      editedBody(deadLetter, edits);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidEditError);
    expect(thrown).toMatchObject({ name: 'InvalidEditError', message });
  });

  it("refuses an edit that leaves the message invalid, with the contract's words, and sends nothing", () => {
    expect(() => editedBody(withBody, [{ path: 'currency', value: 'pounds' }])).toThrow(
      /^the edited message is still invalid, so nothing was sent: .*must be an ISO 4217 code such as GBP/,
    );
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('editedFields', () => {
  it('names each edited path under data.', () => {
    expect(
      editedFields([
        { path: 'customer.phone', value: 1 },
        { path: 'data.currency', value: 2 },
      ]),
    ).toEqual(['data.customer.phone', 'data.currency']);
  });
});

describe('fixedAttributes', () => {
  it("keeps the message's own attributes, drops the failure's and an earlier redrive's, and marks this redrive", () => {
    const received = {
      messageId: 'm-1',
      receiptHandle: 'r',
      body: '{}',
      receiveCount: 1,
      attributes: {
        [ATTRIBUTE.type]: 'LoanApproved',
        [ATTRIBUTE.failureReason]: 'meta answered 400',
        [ATTRIBUTE.redriveId]: 'old-redrive',
      },
    };
    expect(fixedAttributes(received, 'redrive-2')).toEqual({
      [ATTRIBUTE.type]: 'LoanApproved',
      [ATTRIBUTE.redriveId]: 'redrive-2',
    });
  });
});

describe('toCsv', () => {
  const row = (overrides: Record<string, unknown>) => ({ messageId: 'm-1', ...overrides });
  const cellOf = (csv: string) => csv.split('\r\n')[1]!.split(',').slice(1).join(',');

  it('writes the header and one CRLF-ended line a row, empty cells for what a row lacks', () => {
    expect(toCsv([row({ receiveCount: 3, destinations: ['meta', 'ga4'], body: null })])).toBe(
      `${EXPORT_COLUMNS.join(',')}\r\nm-1,,"[""meta"",""ga4""]",,,3,,,\r\n`,
    );
    expect(toCsv([])).toBe(`${EXPORT_COLUMNS.join(',')}\r\n`);
  });

  it.each([
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+447700900123', "'+447700900123"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', `"'\rx"`],
    ['a, b', '"a, b"'],
    ['two\nlines', '"two\nlines"'],
    ['say "hi"', '"say ""hi"""'],
    ['plain 1+1=2', 'plain 1+1=2'],
  ])('writes %j as %j (a formula as text, OWASP)', (value, cell) => {
    const csv = toCsv([{ messageId: 'm-1', messageType: value }]);
    expect(cellOf(csv).startsWith(cell)).toBe(true);
    expect(csv.split('\r\n')[1]).toBe(`m-1,${cell},,,,,,,`);
  });
});
