/**
 * What dispatching decides for each event, one behaviour per test: deadlines, routing, ledger failures,
 * platforms that refuse to prepare an event, and which outcome wins when platforms disagree.
 */
import { registrationCompletedV1, loanApprovedV1, type MarketingEvent } from '@backbone/shared';
import { SAMPLE_ANDROID_DEVICE } from '@backbone/shared/testing';
import { createMemoryDeliveryLedger } from '../adapters/memory-ledger';
import { mapWithConcurrency, planRequests, sendWithBisection, type Destination } from './destination';
import { dispatchEvents, type DeliveryLedger, type DispatchDeps } from './dispatch';
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
        destinations: ['routing'],
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
      deliveredTo: () => Promise.reject(new Error('ProvisionedThroughputExceeded')),
      record: () => Promise.resolve(),
    };
    const outcomes = await dispatchEvents([registration('a')], deps([meta, ga4], { ledger }));
    expect(outcomes).toEqual([
      {
        status: 'retryable',
        destinations: ['meta', 'ga4'],
        reason:
          'delivery ledger unavailable (Error: ProvisionedThroughputExceeded); ' +
          'delivery ledger unavailable (Error: ProvisionedThroughputExceeded)',
      },
    ]);
    expect(meta.requests + ga4.requests).toBe(0);
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
      { status: 'permanent', destinations: ['meta'], reason: 'meta: too old' },
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

  it('records each platform as soon as its own requests are done, every write holding all known so far', async () => {
    const writes: [string, string[]][][] = [];
    const ledger = createMemoryDeliveryLedger();
    const watched: DeliveryLedger = {
      deliveredTo: (ids) => ledger.deliveredTo(ids),
      record: (deliveries) => {
        writes.push([...deliveries].map(([id, platforms]) => [id, [...platforms]]));
        return ledger.record(deliveries);
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
    expect(writes).toEqual([[['RegistrationCompleted:a', ['meta']]], [['RegistrationCompleted:a', ['meta', 'ga4']]]]);
    expect([...((await ledger.deliveredTo(['RegistrationCompleted:a'])).get('RegistrationCompleted:a') ?? [])]).toEqual(
      ['meta', 'ga4'],
    );
    const down = createMemoryDeliveryLedger();
    await dispatchEvents(
      [registration('b')],
      deps([platform('meta', () => ({ status: 503, body: '' }))], { ledger: down }),
    );
    expect(down.writes).toBe(0);
  });

  it('keeps what the ledger had when it records a new platform', async () => {
    const ledger = createMemoryDeliveryLedger();
    await ledger.record(new Map([['RegistrationCompleted:a', ['webhook']]]));
    await dispatchEvents([registration('a')], deps([platform('meta'), platform('webhook')], { ledger }));
    expect([...((await ledger.deliveredTo(['RegistrationCompleted:a'])).get('RegistrationCompleted:a') ?? [])]).toEqual(
      ['webhook', 'meta'],
    );
  });

  it('tries a failed ledger write again while there is time, and then the event is delivered', async () => {
    let failures = 2;
    const written: string[][] = [];
    const waits: number[] = [];
    const ledger: DeliveryLedger = {
      deliveredTo: () => Promise.resolve(new Map()),
      record: (deliveries) => {
        if (failures-- > 0) return Promise.reject(new Error('ThrottlingException'));
        written.push([...deliveries.keys()]);
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
      deliveredTo: () => Promise.resolve(new Map()),
      record: () => (attempts++, Promise.reject(new Error('timeout'))),
    };
    const [outcome] = await dispatchEvents(
      [registration('a')],
      deps([platform('ga4')], { ledger, recordUntil: Date.now() + 350, sleep: async (ms) => void waits.push(ms) }),
    );
    expect(outcome).toMatchObject({
      status: 'retryable',
      reason: 'ga4: delivered, but the ledger write failed (Error: timeout)',
    });
    // Waits of 100 and 200 ms start before recordUntil (the injected sleep returns at once); one of 400 would not.
    expect(waits).toEqual([100, 200]);
    expect(attempts).toBe(3);
  });

  it('retries what was delivered but could not be recorded, saying so', async () => {
    const ledger: DeliveryLedger = {
      deliveredTo: () => Promise.resolve(new Map()),
      record: () => Promise.reject(new Error('timeout')),
    };
    const outcomes = await dispatchEvents([registration('a')], deps([platform('meta')], { ledger }));
    expect(outcomes).toEqual([
      {
        status: 'retryable',
        destinations: ['meta'],
        reason: 'meta: delivered, but the ledger write failed (Error: timeout)',
      },
    ]);
  });

  it('retries an event when any platform may take it later, naming only those, whatever another refused for good', async () => {
    const meta = platform('meta', () => ({ status: 400, body: 'bad' }));
    const ga4 = platform('ga4', () => ({ status: 503, body: 'down' }));
    const webhook = platform('webhook', () => ({ status: 429, body: 'slow' }));
    const [outcome] = await dispatchEvents([registration('a')], deps([meta, ga4, webhook]));
    expect(outcome).toEqual({
      status: 'retryable',
      destinations: ['ga4', 'webhook'],
      reason: 'ga4 answered 503: down; webhook answered 429: slow',
    });
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
      { status: 'retryable', reason: 'webhook: no answer from hooks.example within 5000 ms' },
      { status: 'retryable', reason: 'webhook: no answer from hooks.example within 5000 ms' },
    ]);
    // A transport may reject with anything; a string is named as it is.
    const other = await sendWithBisection(
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- what is tested
      platform('ga4', () => Promise.reject('socket hang up')),
      ['a'],
    );
    expect(other).toEqual([{ status: 'retryable', reason: 'ga4: socket hang up' }]);
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
