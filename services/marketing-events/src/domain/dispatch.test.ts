/**
 * What dispatching decides for each event, one behaviour per test: deadlines, routing, ledger failures,
 * platforms that refuse to prepare an event, and which outcome wins when platforms disagree.
 */
import { registrationCompletedV1, loanApprovedV1, type MarketingEvent } from '../../contracts';
import { SAMPLE_ANDROID_DEVICE } from '../../contracts/testing';
import { createMemoryDeliveryLedger } from '../adapters/memory-ledger';
import { mapWithConcurrency, planRequests, sendWithBisection, type Destination } from './destination';
import { dispatchEvents, type DeliveryLedger, type DispatchDeps, type LedgerChange } from './dispatch';
import { TransportError, type DeliveryOutcome, type HttpAnswer } from './outcome';
import { DEFAULT_ROUTING, type Routing } from './platforms';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const device = SAMPLE_ANDROID_DEVICE;
const registration = (id: string): MarketingEvent =>
  registrationCompletedV1.create({ customer: { customerId: id }, device }, { id: `RegistrationCompleted:${id}` });
const approval = (id: string): MarketingEvent =>
  loanApprovedV1.create(
    { customer: { customerId: id }, device, applicationId: id, loanId: id, product: 'p', amount: 1, currency: 'GBP' },
    { id: `LoanApproved:${id}` },
  );

/** A platform that answers what `answer` says and remembers every payload it took. */
function platform(
  name: string,
  answer: (payloads: readonly string[]) => HttpAnswer | Promise<HttpAnswer> = () => ({ status: 200, body: {} }),
  overrides: Partial<Destination<string>> = {},
): Destination<string> & { received: string[]; requests: number } {
  const fake = {
    name,
    maxBatch: 10,
    concurrency: 2,
    delivery: 'at-least-once' as const,
    bisectOnRejection: false,
    received: [] as string[],
    requests: 0,
    prepare: (event: MarketingEvent) => ({ ok: true as const, payload: event.id }),
    async send(payloads: readonly string[]) {
      fake.requests++;
      const result = await answer(payloads);
      if (result.status < 300) fake.received.push(...payloads);
      return result;
    },
    ...overrides,
  };
  return fake;
}

const deliveredTo = async (ledger: DeliveryLedger, id: string): Promise<string[]> => [
  ...((await ledger.read([id])).get(id)?.delivered ?? []),
];

const deps = (destinations: Destination<string>[], more: Partial<DispatchDeps> = {}): DispatchDeps => ({
  destinations,
  routing: DEFAULT_ROUTING,
  ledger: createMemoryDeliveryLedger(),
  now: () => NOW,
  ...more,
});

describe('dispatchEvents', () => {
  it('sends everything while the deadline is ahead, including at the deadline itself', async () => {
    const meta = platform('meta');
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      const outcomes = await dispatchEvents([registration('a')], deps([meta], { sendUntil: now }));
      expect(outcomes).toEqual([{ status: 'delivered' }]);
      expect(meta.received).toEqual(['RegistrationCompleted:a']);
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('dead-letters an event no configured platform takes, saying what to change (never acknowledges it)', async () => {
    const meta = platform('meta');
    const routing: Routing = { ...DEFAULT_ROUTING, RegistrationCompleted: ['ga4'] };
    const outcomes = await dispatchEvents([registration('a'), approval('b')], deps([meta], { routing }));
    expect(outcomes).toEqual([
      {
        status: 'permanent',
        // No platform failed it: the routing did.
        failures: [],
        reason:
          'no configured platform takes RegistrationCompleted (routed to ga4; configured: meta); ' +
          "route it to one (DESTINATIONS, or a platform's routes), then redrive",
      },
      { status: 'delivered' },
    ]);
    expect(meta.received).toEqual(['LoanApproved:b']);
    const unrouted = await dispatchEvents([registration('c')], deps([], { routing: {} as Routing }));
    expect(unrouted[0]).toMatchObject({ reason: expect.stringContaining('(routed to none; configured: none)') });
  });

  it('retries the whole batch, sending nothing, when the ledger cannot be read', async () => {
    const meta = platform('meta');
    const ga4 = platform('ga4');
    const ledger: DeliveryLedger = {
      read: () => Promise.reject(new Error('ProvisionedThroughputExceeded')),
      write: () => Promise.resolve(),
    };
    const outcomes = await dispatchEvents([registration('a')], deps([meta, ga4], { ledger }));
    expect(outcomes).toEqual([
      {
        status: 'retryable',
        failures: ['meta', 'ga4'].map((destination) => ({
          destination,
          code: 'ledger-unavailable',
          message: 'delivery ledger unavailable (Error: ProvisionedThroughputExceeded)',
        })),
        reason: 'delivery ledger unavailable (Error: ProvisionedThroughputExceeded)',
      },
    ]);
    expect(meta.requests + ga4.requests).toBe(0);
  });

  it('reads the ledger again while requests may still start, and then delivers', async () => {
    const memory = createMemoryDeliveryLedger();
    let failures = 3;
    const waits: number[] = [];
    const ledger: DeliveryLedger = {
      read: (ids) => (failures-- > 0 ? Promise.reject(new Error('ECONNREFUSED')) : memory.read(ids)),
      write: (entries) => memory.write(entries),
    };
    const meta = platform('meta');
    const outcomes = await dispatchEvents(
      [registration('a')],
      deps([meta], { ledger, sendUntil: Date.now() + 60_000, sleep: async (ms) => void waits.push(ms) }),
    );
    expect(outcomes).toEqual([{ status: 'delivered' }]);
    expect(waits).toEqual([100, 200, 400]);
    // Not past the time requests may start: a wait of 100 ms would end after it.
    failures = 1;
    const late = await dispatchEvents(
      [registration('b')],
      deps([meta], { ledger, sendUntil: Date.now() + 50, sleep: async (ms) => void waits.push(ms) }),
    );
    expect(late[0]).toMatchObject({ status: 'retryable', reason: 'delivery ledger unavailable (Error: ECONNREFUSED)' });
  });

  it('fails an event for good where a platform refuses to prepare it, and delivers it elsewhere', async () => {
    const meta = platform('meta', undefined, {
      prepare: (event) =>
        event.id.endsWith(':old') ? { ok: false, reason: 'meta: too old' } : { ok: true, payload: event.id },
    });
    const ga4 = platform('ga4');
    const results: [string, string, DeliveryOutcome['status']][] = [];
    const outcomes = await dispatchEvents(
      [registration('old'), registration('new')],
      deps([meta, ga4], {
        observer: { onResult: (destination, type, outcome) => results.push([destination, type, outcome.status]) },
      }),
    );
    expect(outcomes).toEqual([
      {
        status: 'permanent',
        failures: [{ destination: 'meta', code: 'refused-before-sending', message: 'meta: too old' }],
        reason: 'meta: too old',
      },
      { status: 'delivered' },
    ]);
    expect(meta.received).toEqual(['RegistrationCompleted:new']);
    expect(ga4.received).toEqual(['RegistrationCompleted:old', 'RegistrationCompleted:new']);
    expect(results).toEqual(
      expect.arrayContaining([
        ['meta', 'RegistrationCompleted', 'permanent'],
        ['meta', 'RegistrationCompleted', 'delivered'],
      ]),
    );
  });

  it('records each platform as soon as its own requests are done, each write its own mark', async () => {
    const writes: [string, readonly string[]][][] = [];
    const ledger = createMemoryDeliveryLedger();
    const watched: DeliveryLedger = {
      read: (ids) => ledger.read(ids),
      write: (changes) => {
        writes.push([...changes].map(([id, change]) => [id, change.delivered ?? []]));
        return ledger.write(changes);
      },
    };
    let releaseSlow: () => void = () => undefined;
    const slow = platform(
      'ga4',
      () => new Promise((resolve) => (releaseSlow = () => resolve({ status: 200, body: {} }))),
    );
    const dispatching = dispatchEvents([registration('a')], deps([platform('meta'), slow], { ledger: watched }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Meta is recorded while GA4 is still sending.
    expect(writes).toEqual([[['RegistrationCompleted:a', ['meta']]]]);
    releaseSlow();
    expect(await dispatching).toEqual([{ status: 'delivered' }]);
    expect(writes).toEqual([[['RegistrationCompleted:a', ['meta']]], [['RegistrationCompleted:a', ['ga4']]]]);
    expect(await deliveredTo(ledger, 'RegistrationCompleted:a')).toEqual(['meta', 'ga4']);
    const down = createMemoryDeliveryLedger();
    await dispatchEvents(
      [registration('b')],
      deps([platform('meta', () => ({ status: 503, body: '' }))], { ledger: down }),
    );
    expect(down.writes).toBe(0);
  });

  it('keeps both dispatchers’ marks when two copies of an event are dispatched at once', async () => {
    // Two copies of one event in two batches (SQS delivered it twice): each reads the entry before the other writes.
    const ledger = createMemoryDeliveryLedger();
    const copies = [deps([platform('meta')], { ledger }), deps([platform('webhook')], { ledger })];
    await Promise.all(copies.map((d) => dispatchEvents([registration('a')], d)));
    expect((await deliveredTo(ledger, 'RegistrationCompleted:a')).sort()).toEqual(['meta', 'webhook']);
  });

  it('keeps what the ledger had when it records a new platform', async () => {
    const ledger = createMemoryDeliveryLedger();
    await ledger.write(new Map([['RegistrationCompleted:a', { delivered: ['webhook'] }]]));
    await dispatchEvents([registration('a')], deps([platform('meta'), platform('webhook')], { ledger }));
    expect(await deliveredTo(ledger, 'RegistrationCompleted:a')).toEqual(['webhook', 'meta']);
  });

  it('tries a failed ledger write again while there is time, and then the event is delivered', async () => {
    let failures = 2;
    const written: string[][] = [];
    const waits: number[] = [];
    const ledger: DeliveryLedger = {
      read: () => Promise.resolve(new Map()),
      write: (entries) => {
        if (failures-- > 0) return Promise.reject(new Error('ThrottlingException'));
        written.push([...entries.keys()]);
        return Promise.resolve();
      },
    };
    const outcomes = await dispatchEvents(
      [registration('a')],
      deps([platform('ga4')], { ledger, recordUntil: Date.now() + 60_000, sleep: async (ms) => void waits.push(ms) }),
    );
    expect(outcomes).toEqual([{ status: 'delivered' }]);
    expect(written).toEqual([['RegistrationCompleted:a']]);
    expect(waits).toEqual([100, 200]);
  });

  it('stops trying the ledger write when the next attempt would start after recordUntil', async () => {
    const waits: number[] = [];
    let attempts = 0;
    const ledger: DeliveryLedger = {
      read: () => Promise.resolve(new Map()),
      write: () => (attempts++, Promise.reject(new Error('timeout'))),
    };
    // The clock stands still (the injected sleep takes no time): only recordUntil decides, however busy the machine.
    jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    await dispatchEvents(
      [registration('a')],
      deps([platform('ga4')], { ledger, recordUntil: 1_000_350, sleep: async (ms) => void waits.push(ms) }),
    ).finally(() => jest.restoreAllMocks());
    // Waits of 100 and 200 ms start before recordUntil (the injected sleep returns at once); one of 400 would not.
    expect(waits).toEqual([100, 200]);
    expect(attempts).toBe(3);
  });

  it('counts a delivery the ledger could not learn of, and does not send it again (the platform has it)', async () => {
    const ledger: DeliveryLedger = {
      read: () => Promise.resolve(new Map()),
      write: () => Promise.reject(new Error('timeout')),
    };
    const unrecorded: string[] = [];
    const meta = platform('meta');
    const outcomes = await dispatchEvents(
      [registration('a')],
      deps([meta], {
        ledger,
        observer: {
          onResult: () => undefined,
          onUnrecorded: (destination, type) => unrecorded.push(`${destination} ${type}`),
        },
      }),
    );
    expect(outcomes).toEqual([{ status: 'delivered' }]);
    expect(unrecorded).toEqual(['meta RegistrationCompleted']);
  });

  it('retries an event when any platform may take it later, naming only those, whatever another refused for good', async () => {
    const meta = platform('meta', () => ({ status: 400, body: 'bad' }));
    const ga4 = platform('ga4', () => ({ status: 503, body: 'down' }));
    const webhook = platform('webhook', () => ({ status: 429, body: 'slow' }));
    const [outcome] = await dispatchEvents([registration('a')], deps([meta, ga4, webhook]));
    expect(outcome).toEqual({
      status: 'retryable',
      failures: [
        { destination: 'ga4', code: '503', message: 'ga4 answered 503: down' },
        { destination: 'webhook', code: '429', message: 'webhook answered 429: slow' },
      ],
      reason: 'ga4 answered 503: down; webhook answered 429: slow',
    });
  });

  it('tells the observer which identifiers each delivered event carried, where the platform says', async () => {
    const seen: string[] = [];
    const observer = {
      onResult: () => undefined,
      onMatchKeys: (destination: string, type: string, keys: readonly string[]) =>
        seen.push(`${destination} ${type} ${keys.join('+')}`),
    };
    const meta = platform('meta', undefined, { matchKeys: (id) => (id.endsWith(':a') ? ['email', 'externalId'] : []) });
    const failing = platform('webhook', () => ({ status: 503, body: '' }), { matchKeys: () => ['externalId'] });
    await dispatchEvents([registration('a'), registration('b')], deps([meta, failing, platform('ga4')], { observer }));
    expect(seen).toEqual(['meta RegistrationCompleted email+externalId', 'meta RegistrationCompleted ']);
  });

  it('tells the observer how long each request took', async () => {
    const latencies: number[] = [];
    await dispatchEvents(
      [registration('a')],
      deps(
        [platform('meta', () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: {} }), 20)))],
        {
          observer: { onResult: (_d, _t, _o, latencyMs) => latencies.push(latencyMs) },
        },
      ),
    );
    expect(latencies).toHaveLength(1);
    expect(latencies[0]).toBeGreaterThanOrEqual(15);
    expect(latencies[0]).toBeLessThan(5_000);
  });

  it('groups requests by the key of each prepared payload', async () => {
    const ga4 = platform('ga4', undefined, { requestKey: (payload) => payload.split(':')[1]!.slice(0, 1) });
    await dispatchEvents([registration('a1'), registration('b1'), registration('a2')], deps([ga4]));
    expect(ga4.requests).toBe(2);
  });
});

describe('dispatchEvents to an at-most-once platform (GA4 cannot deduplicate)', () => {
  const entry = (delivered: string[], sending: string[]) => ({
    delivered: new Set(delivered),
    sending: new Set(sending),
  });
  const marks = (delivered: string[], sending: string[]): LedgerChange => ({ delivered, sending });
  /** A ledger that logs each write (id: its marks) and each send, in the order they happen. */
  function watched(initial: [string, LedgerChange][] = []) {
    const ledger = createMemoryDeliveryLedger();
    const log: string[] = [];
    const state = async (id: string) => {
      const found = (await ledger.read([id])).get(id);
      return { delivered: [...(found?.delivered ?? [])], sending: [...(found?.sending ?? [])] };
    };
    const wrapped: DeliveryLedger = {
      read: (ids) => ledger.read(ids),
      write: (changes) => {
        const described = [...changes].map(([id, { delivered = [], sending = [], settled = [] }]) => {
          const parts = [
            ...delivered.map((n) => `delivered ${n}`),
            ...sending.map((n) => `sending ${n}`),
            ...settled.map((n) => `settled ${n}`),
          ];
          return `${id.split(':')[1]}: ${parts.join(', ')}`;
        });
        log.push(`write ${described.join('; ')}`);
        return ledger.write(changes);
      },
    };
    const ready = ledger.write(new Map(initial));
    return { ledger: wrapped, log, state, ready };
  }
  const ga4 = (answer?: Parameters<typeof platform>[1], overrides: Partial<Destination<string>> = {}) =>
    platform('ga4', answer, { delivery: 'at-most-once', ...overrides });

  it('notes the send in the ledger before it starts, and writes the delivery down after', async () => {
    const { ledger, log, state } = watched();
    const destination = ga4(
      (payloads) => (log.push(`send ${payloads.map((p) => p.split(':')[1]).join(',')}`), { status: 204, body: '' }),
    );
    const outcomes = await dispatchEvents([registration('a')], deps([destination], { ledger }));
    expect(outcomes).toEqual([{ status: 'delivered' }]);
    expect(log).toEqual(['write a: sending ga4', 'send a', 'write a: delivered ga4, settled ga4']);
    expect(await state('RegistrationCompleted:a')).toEqual({ delivered: ['ga4'], sending: [] });
  });

  it('does not send again an event whose earlier send was never written down, and says how to resend it', async () => {
    const { ledger, ready } = watched([['RegistrationCompleted:a', marks(['meta'], ['ga4'])]]);
    await ready;
    const destination = ga4();
    const results: string[] = [];
    const outcomes = await dispatchEvents(
      [registration('a'), registration('b')],
      deps([destination, platform('meta')], {
        ledger,
        observer: { onResult: (d, _t, outcome) => results.push(`${d} ${outcome.status}`) },
      }),
    );
    expect(outcomes).toEqual([
      {
        status: 'unknown',
        failures: [
          { destination: 'ga4', code: 'outcome-unknown', message: expect.stringMatching(/^ga4: outcome unknown/) },
        ],
        reason:
          'ga4: outcome unknown: an earlier send was started but its result was never written down (the function ' +
          'stopped, or the ledger could not be written); ga4 cannot deduplicate, so it is not sent again. If ga4 does ' +
          'not have the event, redrive it asking to resend to ga4',
      },
      { status: 'delivered' },
    ]);
    expect(destination.received).toEqual(['RegistrationCompleted:b']);
    expect(results.sort()).toEqual(['ga4 delivered', 'ga4 unknown', 'meta delivered']);
  });

  it('calls an event permanent when another platform refused it for good, and retryable when one may take it later', async () => {
    for (const [other, status] of [
      [platform('meta', () => ({ status: 400, body: 'bad' })), 'permanent'],
      [platform('meta', () => ({ status: 503, body: 'busy' })), 'retryable'],
    ] as const) {
      const { ledger, ready } = watched([['RegistrationCompleted:a', marks([], ['ga4'])]]);
      await ready;
      const [outcome] = await dispatchEvents([registration('a')], deps([ga4(), other], { ledger }));
      expect(outcome!.status).toBe(status);
    }
  });

  it('sends such an event again when a redrive asks to resend to that platform', async () => {
    const { ledger, ready, state } = watched([['RegistrationCompleted:a', marks([], ['ga4'])]]);
    await ready;
    const destination = ga4();
    const outcomes = await dispatchEvents([registration('a')], deps([destination], { ledger }), {
      resend: new Map([['RegistrationCompleted:a', new Set(['ga4'])]]),
    });
    expect(outcomes).toEqual([{ status: 'delivered' }]);
    expect(destination.received).toEqual(['RegistrationCompleted:a']);
    expect(await state('RegistrationCompleted:a')).toEqual({ delivered: ['ga4'], sending: [] });
    // A resend for another platform changes nothing here.
    const other = watched([['RegistrationCompleted:b', marks([], ['ga4'])]]);
    await other.ready;
    const [outcome] = await dispatchEvents([registration('b')], deps([ga4()], { ledger: other.ledger }), {
      resend: new Map([['RegistrationCompleted:b', new Set(['meta'])]]),
    });
    expect(outcome).toMatchObject({ status: 'unknown', reason: expect.stringContaining('outcome unknown') });
  });

  it('reports a send that may have arrived (no answer after it went out) and keeps its note, so no retry repeats it', async () => {
    const { ledger, state } = watched();
    const lost = ga4(() => Promise.reject(new TransportError('ga4.example: no answer within 5000 ms', true)));
    const [outcome] = await dispatchEvents([registration('a')], deps([lost], { ledger }));
    expect(outcome).toEqual({
      status: 'unknown',
      failures: [
        { destination: 'ga4', code: 'outcome-unknown', message: expect.stringMatching(/^ga4: ga4.example: no answer/) },
      ],
      reason:
        'ga4: ga4.example: no answer within 5000 ms; ga4 may have it and cannot deduplicate, so it is not sent ' +
        'again. If ga4 does not have the event, redrive it asking to resend to ga4',
    });
    expect(await state('RegistrationCompleted:a')).toEqual({ delivered: [], sending: ['ga4'] });
    const again = ga4();
    await dispatchEvents([registration('a')], deps([again], { ledger }));
    expect(again.requests).toBe(0);
  });

  it('withdraws the note when the platform certainly does not have the event, so a retry sends it', async () => {
    for (const failing of [
      ga4(() => ({ status: 503, body: 'busy' })),
      ga4(() => Promise.reject(new TransportError('ga4.example: ECONNREFUSED', false))),
    ]) {
      const { ledger, state } = watched();
      const [outcome] = await dispatchEvents([registration('a')], deps([failing], { ledger }));
      expect(outcome).toMatchObject({ status: 'retryable' });
      expect(await state('RegistrationCompleted:a')).toEqual({ delivered: [], sending: [] });
      const retry = ga4();
      expect(await dispatchEvents([registration('a')], deps([retry], { ledger }))).toEqual([{ status: 'delivered' }]);
      expect(retry.requests).toBe(1);
    }
  });

  it('sends nothing it could not note first, and leaves no note behind', async () => {
    const memory = createMemoryDeliveryLedger();
    let failNext = true;
    const ledger: DeliveryLedger = {
      read: (ids) => memory.read(ids),
      write: (entries) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('ThrottlingException'));
        }
        return memory.write(entries);
      },
    };
    const destination = ga4();
    const meta = platform(
      'meta',
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 200, body: {} }), 10)),
    );
    const [outcome] = await dispatchEvents([registration('a')], deps([destination, meta], { ledger }));
    expect(outcome).toEqual({
      status: 'retryable',
      failures: [
        {
          destination: 'ga4',
          code: 'ledger-unavailable',
          message: 'ga4: not sent: the ledger could not note the send first (Error: ThrottlingException)',
        },
      ],
      reason: 'ga4: not sent: the ledger could not note the send first (Error: ThrottlingException)',
    });
    expect(destination.requests).toBe(0);
    expect((await memory.read(['RegistrationCompleted:a'])).get('RegistrationCompleted:a')).toEqual(
      entry(['meta'], []),
    );
  });

  it('notes a window of `concurrency` requests at a time, each before its first send', async () => {
    const { ledger, log } = watched();
    const destination = ga4(
      (payloads) => (log.push(`send ${payloads.map((p) => p.split(':')[1]).join(',')}`), { status: 204, body: '' }),
      { maxBatch: 1, concurrency: 2 },
    );
    await dispatchEvents(['a', 'b', 'c', 'd', 'e'].map(registration), deps([destination], { ledger }));
    const notes = log.filter((line) => line.startsWith('write') && line.includes('sending ga4'));
    expect(notes).toEqual([
      'write a: sending ga4; b: sending ga4',
      'write c: sending ga4; d: sending ga4',
      'write e: sending ga4',
    ]);
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      expect(log.indexOf(`send ${id}`)).toBeGreaterThan(log.findIndex((line) => line.includes(`${id}: sending ga4`)));
    expect(log.at(-1)).toBe(
      `write ${['a', 'b', 'c', 'd', 'e'].map((id) => `${id}: delivered ga4, settled ga4`).join('; ')}`,
    );
  });

  it('at-least-once (a setting): notes nothing and retries a send that may have arrived', async () => {
    const { ledger, log } = watched();
    const lost = platform('ga4', () => Promise.reject(new TransportError('ga4.example: no answer', true)));
    const [outcome] = await dispatchEvents([registration('a')], deps([lost], { ledger }));
    expect(outcome).toMatchObject({ status: 'retryable', reason: 'ga4: ga4.example: no answer' });
    expect(log).toEqual([]);
  });
});

describe('destinations', () => {
  it('plans exactly as many requests as needed: 4 items at 4 per request is one request', () => {
    const fake = platform('meta', undefined, { maxBatch: 4 });
    expect(planRequests(fake, [1, 2, 3, 4], String)).toEqual([[1, 2, 3, 4]]);
    expect(planRequests(fake, [], String)).toEqual([]);
  });

  it('retries every payload of a request that never got an answer, naming the platform', async () => {
    const outcomes = await sendWithBisection(
      platform('webhook', () => Promise.reject(new TransportError('no answer from hooks.example within 5000 ms'))),
      ['a', 'b'],
    );
    expect(outcomes).toEqual([
      { status: 'retryable', code: 'no-answer', reason: 'webhook: no answer from hooks.example within 5000 ms' },
      { status: 'retryable', code: 'no-answer', reason: 'webhook: no answer from hooks.example within 5000 ms' },
    ]);
    // A transport may reject with anything; a string is named as it is.
    const other = await sendWithBisection(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what is tested
      platform('ga4', () => Promise.reject('socket hang up')),
      ['a'],
    );
    expect(other).toEqual([{ status: 'retryable', code: 'no-answer', reason: 'ga4: socket hang up' }]);
  });

  it.each([
    [199, 'permanent'],
    [200, 'delivered'],
    [204, 'delivered'],
    [299, 'delivered'],
    [300, 'permanent'],
  ])('reads status %i as %s', async (status, verdict) => {
    const [outcome] = await sendWithBisection(
      platform('webhook', () => ({ status, body: '' })),
      ['a'],
    );
    expect(outcome!.status).toBe(verdict);
  });

  it('runs at most `limit` tasks at once, and returns results in order', async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithConcurrency([30, 10, 20, 5, 1], 2, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running--;
      return ms * 2;
    });
    expect(results).toEqual([60, 20, 40, 10, 2]);
    expect(most).toBe(2);
  });
});
