import { createHmac } from 'node:crypto';
import { createMetrics } from '@backbone/shared';
import { registrationCompletedV1, loanDisbursedV1, type MarketingEvent } from '../contracts';
import { SAMPLE_ANDROID_DEVICE } from '../contracts/testing';
import { planRequests, sendWithBisection, type Destination } from './domain/destination';
import { createMemoryDeliveryLedger } from './adapters/memory-ledger';
import { metricsObserver } from './adapters/metrics-observer';
import { dispatchEvents } from './domain/dispatch';
import { DEFAULT_ROUTING } from './domain/platforms';
import { ga4Problems, toGa4Request } from './domain/ga4';
import {
  hashed,
  hashedIdentity,
  normaliseDateOfBirth,
  normaliseEmail,
  normaliseName,
  normalisePhone,
  normaliseCountry,
  sha256Hex,
} from './domain/hashing';
import { metaUserData, readMetaRejection, toMetaEvent } from './domain/meta';
import { classifyAnswer, refusedUs, type HttpAnswer } from './domain/outcome';
import { webhookSignature } from './domain/webhook';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const device = SAMPLE_ANDROID_DEVICE;
const customer = { customerId: 'c-1', email: ' John_Smith@gmail.com ', phone: '+1 (650) 555-1212', firstName: 'Mary' };

const registration = (id = 'c-1', occurredAt = '2026-11-22T09:00:00.000Z'): MarketingEvent =>
  registrationCompletedV1.create(
    { customer: { ...customer, customerId: id }, device },
    { id: `RegistrationCompleted:${id}`, occurredAt },
  );

describe("Meta's normalisation and hashing, against Meta's published examples", () => {
  it.each([
    ['em', 'John_Smith@gmail.com', normaliseEmail, '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'],
    [
      'ph',
      '(650)555-1212 with the US code',
      () => normalisePhone('+1 (650) 555-1212'),
      'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176',
    ],
    ['fn', 'Mary', normaliseName, '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec'],
    ['fn', 'Valéry', normaliseName, '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c'],
    ['ln', '정', normaliseName, '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14'],
    ['db', '1997-02-16', normaliseDateOfBirth, '01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c'],
    ['country', 'US', normaliseCountry, '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621'],
  ])('%s %s', (_field, input, normalise, digest) => {
    expect(sha256Hex(normalise(input))).toBe(digest);
  });

  it('hashes the canonical identifiers of an event published without publishMarketingEvents', () => {
    const messy = hashedIdentity({
      customerId: ' c-1 ',
      email: 'Mary Smith <Mary@Example.com.>',
      phone: '+44 (0)7700 900123',
      firstName: 'Dr. Ma\u200Bry',
      lastName: 'Smith Jr.',
      dateOfBirth: '2099-01-01',
      country: 'UK',
    });
    expect(messy).toEqual({
      externalId: sha256Hex('c-1'),
      em: sha256Hex('mary@example.com'),
      ph: sha256Hex('447700900123'),
      // Meta's published digest of "Mary".
      fn: '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
      ln: sha256Hex('smith'),
      country: sha256Hex('gb'),
    });
    // Invisible characters never reach a hash.
    expect(normaliseName('Ro\u00ADsa\uFE0F\u200D')).toBe('rosa');
  });

  it('drops leading zeros and punctuation from phones, and never hashes an empty value', () => {
    expect(normalisePhone('00 44 (0)7700-900123')).toBe('4407700900123');
    expect(hashed('  ', normaliseEmail)).toBeUndefined();
    expect(normaliseName("O'Brien-Smith Jr.")).toBe('obriensmithjr');
  });
});

describe('Meta mapping', () => {
  it('builds an app event with a stable id, hashed user data and extinfo', () => {
    const mapped = toMetaEvent(registration(), NOW);
    if (!mapped.ok) throw new Error(mapped.reason);
    // sha256("RegistrationCompleted:c-1"), first 40 hex characters: the id Meta deduplicates on, for every delivery.
    expect(mapped.payload.event_id).toBe('ad89f86f6eef62c6be4498a29ebaa8bda320bc4a');
    expect(mapped.payload).toMatchObject({
      event_name: 'CompleteRegistration',
      action_source: 'app',
      event_time: 1795338000,
    });
    expect(mapped.payload.user_data.em).toEqual(['62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f']);
    expect(mapped.payload.app_data.extinfo).toHaveLength(16);
    expect(mapped.payload.app_data.extinfo[0]).toBe('a2');
    expect(JSON.stringify(mapped.payload)).not.toContain('John_Smith');
    expect(metaUserData({ customerId: 'x' })).toEqual({ external_id: [sha256Hex('x')] });
  });

  it('refuses, with the reason, an event older than Meta accepts', () => {
    const mapped = toMetaEvent(registration('c-2', '2026-11-10T00:00:00.000Z'), NOW);
    expect(mapped.ok).toBe(false);
    expect(!mapped.ok && mapped.reason).toMatch(/12\.4 days old; Meta accepts events at most 7 days old/);
  });
});

describe('GA4 checks (collect answers 2xx to anything)', () => {
  it('names every limit a payload breaks', () => {
    expect(ga4Problems('loan_approved', { value: 1 })).toEqual([]);
    expect(ga4Problems('1bad name', { ['x'.repeat(41)]: 'y'.repeat(101), firebase_x: 1 })).toEqual([
      'event name "1bad name" must start with a letter and use only letters, digits and _',
      `parameter "${'x'.repeat(41)}" is longer than 40 characters`,
      `parameter ${'x'.repeat(41)} is 101 characters; GA4 takes 100`,
      'parameter "firebase_x" uses a reserved prefix',
    ]);
    const params = Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`p${i}`, i]));
    expect(ga4Problems('loan_approved', params)).toEqual(['26 parameters; GA4 takes 25']);
  });

  it('needs the app instance id, and an event at most 72 hours old', () => {
    const event = registration();
    const withoutInstance = {
      ...event,
      data: { ...event.data, device: { ...device, appInstanceId: undefined } },
    } as MarketingEvent;
    const reasonOf = (e: MarketingEvent) => {
      const prepared = toGa4Request(e, NOW);
      return prepared.ok ? 'ok' : prepared.reason;
    };
    expect(reasonOf(withoutInstance)).toContain('appInstanceId');
    expect(reasonOf(registration('c-3', '2026-11-18T00:00:00.000Z'))).toContain('GA4 accepts at most 72');
    const disbursed = loanDisbursedV1.create(
      { customer, device, loanId: 'l-1', product: 'personal', amount: 1500, currency: 'GBP' },
      { occurredAt: NOW },
    );
    expect(toGa4Request(disbursed as MarketingEvent, NOW)).toMatchObject({
      ok: true,
      payload: { events: [{ name: 'loan_disbursed', params: { value: 1500, currency: 'GBP' } }] },
    });
  });
});

describe('webhook signature', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    const body = '{"a":1}';
    const expected = createHmac('sha256', 'key').update(`1700000000.${body}`).digest('hex');
    expect(webhookSignature('key', body, 1_700_000_000)).toBe(`t=1700000000,v1=${expected}`);
  });
});

describe("retry classification: HTTP statuses, and Meta's Graph throttle codes read by Meta's destination", () => {
  it.each<[HttpAnswer, string]>([
    [{ status: 200, body: {} }, 'ok'],
    [{ status: 429, body: {} }, 'retryable'],
    [{ status: 503, body: {} }, 'retryable'],
    [{ status: 400, body: { error: { code: 17, message: 'User request limit reached' } } }, 'retryable'],
    [{ status: 400, body: { error: { code: 80004, message: 'too many calls' } } }, 'retryable'],
    [{ status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } }, 'permanent'],
    [{ status: 401, body: 'unauthorised' }, 'refused-us'],
    [{ status: 403, body: 'forbidden' }, 'refused-us'],
    [{ status: 404, body: 'no such dataset' }, 'refused-us'],
    [
      { status: 400, body: { error: { code: 190, message: 'Error validating access token: Session has expired' } } },
      'refused-us',
    ],
    [{ status: 400, body: { error: { code: 200, message: 'Permissions error' } } }, 'refused-us'],
    [{ status: 400, body: { error: { code: 10, message: 'Application does not have permission' } } }, 'refused-us'],
    [{ status: 400, body: { error: { code: 102, message: 'Session key invalid' } } }, 'refused-us'],
    [{ status: 400, body: { error: { code: 300, message: 'not a permission code' } } }, 'permanent'],
    [{ status: 400, body: { error: { code: 9, message: 'not a permission code' } } }, 'permanent'],
    [{ status: 400, body: 'bad request' }, 'permanent'],
    [{ status: 408, body: {} }, 'retryable'],
    [{ status: 500, body: {} }, 'retryable'],
    [{ status: 400, body: { error: { code: 4, message: 'Application request limit reached' } } }, 'retryable'],
    [{ status: 400, body: { error: { code: 80015, message: 'not a business use case limit' } } }, 'permanent'],
  ])('%j is %s', (answer, verdict) => expect(classifyAnswer(answer, readMetaRejection(answer))).toBe(verdict));

  it("reads Meta's codes only for Meta: for another platform a 400 with code 17 is just a 400", () => {
    expect(classifyAnswer({ status: 400, body: { error: { code: 17 } } })).toBe('permanent');
  });
});

/** A platform that rejects any batch containing a "bad" payload, as Meta does. */
function strictPlatform(): Destination<string> & { requests: string[][] } {
  const requests: string[][] = [];
  return {
    name: 'meta',
    maxBatch: 4,
    concurrency: 2,
    delivery: 'at-least-once',
    bisectOnRejection: true,
    requests,
    readRejection: readMetaRejection,
    prepare: () => ({ ok: true, payload: '' }),
    async send(payloads) {
      requests.push([...payloads]);
      return payloads.some((p) => p.startsWith('bad'))
        ? {
            status: 400,
            body: {
              error: { code: 100, message: `Invalid parameter in ${payloads.find((p) => p.startsWith('bad'))}` },
            },
          }
        : { status: 200, body: { events_received: payloads.length } };
    },
  };
}

describe('batching and bisection', () => {
  it('splits requests by maxBatch and by request key', () => {
    const platform = { ...strictPlatform(), requestKey: (p: string) => p[0]! };
    expect(planRequests(platform, ['a1', 'b1', 'a2', 'a3', 'a4', 'a5'], (payload) => payload)).toEqual([
      ['a1', 'a2', 'a3', 'a4'],
      ['a5'],
      ['b1'],
    ]);
  });

  it('isolates the bad events of a rejected batch and delivers the rest', async () => {
    const platform = strictPlatform();
    const payloads = ['ok1', 'ok2', 'bad3', 'ok4', 'ok5', 'ok6', 'bad7', 'ok8'];
    const outcomes = await sendWithBisection(platform, payloads);
    expect(outcomes.map((o) => o.status)).toEqual(
      payloads.map((p) => (p.startsWith('bad') ? 'permanent' : 'delivered')),
    );
    expect(outcomes[2]).toEqual({
      status: 'permanent',
      code: '400/100',
      reason: 'meta answered 400 (code 100): Invalid parameter in bad3',
    });
    expect(platform.requests.length).toBeLessThanOrEqual(1 + 2 * 2 * Math.ceil(Math.log2(payloads.length)));
  });

  it('bisects one request at a time, so a batch with many bad events never floods the platform', async () => {
    const platform = strictPlatform();
    let inFlight = 0;
    let most = 0;
    const send = platform.send.bind(platform);
    platform.send = async (payloads) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return send(payloads);
    };
    const payloads = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? `bad${i}` : `ok${i}`));
    const outcomes = await sendWithBisection(platform, payloads);
    expect(outcomes.filter((o) => o.status === 'delivered')).toHaveLength(66);
    expect(most).toBe(1);
  });

  it('keeps a retryable answer in the middle of a bisection for the events of that request alone', async () => {
    const platform = strictPlatform();
    const send = platform.send.bind(platform);
    // Meta throttles the request that holds "slow4" once the batch is split.
    platform.send = async (payloads) =>
      payloads.includes('slow4') && payloads.length < 4
        ? { status: 400, body: { error: { code: 17, message: 'User request limit reached' } } }
        : send(payloads);
    const outcomes = await sendWithBisection(platform, ['ok1', 'bad2', 'ok3', 'slow4']);
    expect(outcomes.map((o) => o.status)).toEqual(['delivered', 'permanent', 'retryable', 'retryable']);
    expect(outcomes[2]).toMatchObject({ code: '400/17', reason: expect.stringContaining('User request limit') });
  });

  it.each([
    [
      'an expired token (Graph code 190)',
      { status: 400, body: { error: { code: 190, message: 'Session has expired' } } },
    ],
    ['401', { status: 401, body: 'unauthorised' }],
    ['403', { status: 403, body: 'forbidden' }],
  ])(
    'retries a whole batch refused for %s in one request, neither bisected nor dead-lettered',
    async (_case, answer) => {
      const platform = strictPlatform();
      platform.send = async (payloads) => (platform.requests.push([...payloads]), answer);
      const payloads = Array.from({ length: 100 }, (_, i) => `ok${i}`);
      const outcomes = await sendWithBisection(platform, payloads);
      expect(platform.requests).toHaveLength(1);
      expect(outcomes.every((o) => o.status === 'retryable' && o.refusedUs === true)).toBe(true);
      expect(outcomes[0]).toMatchObject({
        reason: expect.stringMatching(
          /refused our credentials, rights or address, not the events: check the meta settings/,
        ),
      });
    },
  );
});

function recordingPlatform(
  name: 'meta' | 'ga4' | 'webhook',
  answer: () => HttpAnswer,
): Destination<string> & { received: string[] } {
  const received: string[] = [];
  return {
    name,
    maxBatch: 10,
    concurrency: 2,
    delivery: 'at-least-once',
    bisectOnRejection: false,
    received,
    // Named meta, it reads Graph errors as Meta's destination does.
    ...(name === 'meta' ? { readRejection: readMetaRejection } : {}),
    prepare: (event) => ({ ok: true, payload: event.id }),
    async send(payloads) {
      const a = answer();
      if (a.status < 300) received.push(...payloads);
      return a;
    },
  };
}

describe('dispatchEvents', () => {
  it('delivers to every routed platform, retries only the one that failed, and never sends twice', async () => {
    const ledger = createMemoryDeliveryLedger();
    let gaDown = true;
    const meta = recordingPlatform('meta', () => ({ status: 200, body: {} }));
    const ga4 = recordingPlatform('ga4', () =>
      gaDown ? { status: 503, body: 'unavailable' } : { status: 204, body: '' },
    );
    const deps = { destinations: [meta, ga4], routing: DEFAULT_ROUTING, ledger, now: () => NOW };
    const events = [registration('a'), registration('b'), registration('a')];

    const first = await dispatchEvents(events, deps);
    expect(first.map((o) => o.status)).toEqual(['retryable', 'retryable', 'retryable']);
    expect(first[0]).toMatchObject({
      failures: [{ destination: 'ga4', code: '503', message: 'ga4 answered 503: unavailable' }],
      reason: 'ga4 answered 503: unavailable',
    });
    expect(meta.received).toEqual(['RegistrationCompleted:a', 'RegistrationCompleted:b']);

    gaDown = false;
    const second = await dispatchEvents(events, deps);
    expect(second.map((o) => o.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(meta.received).toHaveLength(2);
    expect(ga4.received).toEqual(['RegistrationCompleted:a', 'RegistrationCompleted:b']);
    // One ledger write per platform that delivered in a batch: Meta in the first, GA4 in the second.
    expect(ledger.writes).toBe(2);
  });

  it('starts no request after the deadline, and retries what it did not send', async () => {
    const meta = recordingPlatform('meta', () => ({ status: 200, body: {} }));
    const outcomes = await dispatchEvents([registration('late')], {
      destinations: [meta],
      routing: DEFAULT_ROUTING,
      ledger: createMemoryDeliveryLedger(),
      now: () => NOW,
      sendUntil: Date.now() - 1,
    });
    expect(outcomes).toEqual([
      {
        status: 'retryable',
        failures: [{ destination: 'meta', code: 'deadline', message: "meta: not sent before the function's deadline" }],
        reason: "meta: not sent before the function's deadline",
      },
    ]);
    expect(meta.received).toEqual([]);
  });

  it('fails an event for good when a platform never will take it, naming the platform', async () => {
    const meta = recordingPlatform('meta', () => ({
      status: 400,
      body: { error: { code: 100, message: 'Invalid parameter' } },
    }));
    const [outcome] = await dispatchEvents([registration()], {
      destinations: [meta],
      routing: DEFAULT_ROUTING,
      ledger: createMemoryDeliveryLedger(),
      now: () => NOW,
    });
    expect(outcome).toEqual({
      status: 'permanent',
      failures: [{ destination: 'meta', code: '400/100', message: 'meta answered 400 (code 100): Invalid parameter' }],
      reason: 'meta answered 400 (code 100): Invalid parameter',
    });
  });
});

describe('delivery metrics', () => {
  it('writes one EMF line per destination and event type, with all its figures', () => {
    const metrics = createMetrics('marketing-events-test');
    const lines: ReturnType<typeof metrics.serializeMetrics>[] = [];
    jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
      lines.push(metrics.serializeMetrics());
      metrics.clearMetrics();
      metrics.clearDimensions();
      return metrics;
    });
    const observer = metricsObserver(metrics);
    observer.onResult('meta', 'LoanApproved', { status: 'delivered' }, 40);
    observer.onResult('meta', 'LoanApproved', { status: 'delivered' }, 90);
    observer.onResult('meta', 'LoanApproved', { status: 'retryable', reason: 'meta: HTTP 503', code: '503' }, 5);
    observer.onResult('meta', 'LoanApproved', refusedUs('meta answered 400 (code 190): expired', '400/190'), 5);
    observer.onResult(
      'ga4',
      'LoanApproved',
      { status: 'permanent', reason: 'ga4: too old', code: 'refused-before-sending' },
      0,
    );
    observer.onResult(
      'ga4',
      'LoanApproved',
      { status: 'unknown', reason: 'ga4: outcome unknown', code: 'outcome-unknown' },
      0,
    );
    observer.onUnrecorded!('ga4', 'LoanApproved');
    observer.onMatchKeys!('meta', 'LoanApproved', ['email', 'externalId']);
    observer.onMatchKeys!('meta', 'LoanApproved', ['externalId']);
    observer.flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      destination: 'meta',
      eventType: 'LoanApproved',
      Delivered: 2,
      Retried: 2,
      RefusedOurCredentials: 1,
    });
    expect(lines[1]).not.toHaveProperty('RefusedOurCredentials');
    // Coverage: of the 2 delivered, 1 carried an email and 2 an external id.
    expect(lines[0]).toMatchObject({ 'MatchKey.email': 1, 'MatchKey.externalId': 2 });
    expect(lines[0]).not.toHaveProperty('MatchKey.phone');
    expect(lines[1]).toMatchObject({ OutcomeUnknown: 1, DeliveredUnrecorded: 1 });
    expect(lines[0]).toMatchObject({ DeliveryLatency: 90 });
    expect(lines[0]).not.toHaveProperty('FailedPermanently');
    expect(lines[1]).toMatchObject({ destination: 'ga4', eventType: 'LoanApproved', FailedPermanently: 1 });
    expect(lines[1]).not.toHaveProperty('DeliveryLatency');
    observer.flush();
    expect(lines).toHaveLength(2);
  });
});
