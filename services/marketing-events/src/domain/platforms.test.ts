/**
 * What each platform receives, pinned to known values: the id each deduplicates on, names, times, limits and
 * routing. A change here changes what advertisers see, so each is compared with a value written out, never
 * with the code's own output.
 */
import {
  firstRepaymentMadeV1,
  loanApplicationSubmittedV1,
  loanApprovedV1,
  loanDisbursedV1,
  registrationCompletedV1,
  type MarketingEvent,
} from '../../contracts';
import { SAMPLE_ANDROID_DEVICE } from '../../contracts/testing';
import type { Destination } from './destination';
import { ga4Destination, ga4Problems, toGa4Request } from './ga4';
import { hashedIdentity, normaliseCountry, normalisePhone } from './hashing';
import { graphErrorOf, metaDestination, readMetaRejection, toMetaEvent } from './meta';
import { classifyAnswer, describeAnswer, TransportError, type HttpTransport } from './outcome';
import { settingsOf } from './platform';
import { DEFAULT_ROUTING, platformNamed, PLATFORM_NAMES } from './platforms';
import { toWebhookEvent, webhookDestination, webhookSignature } from './webhook';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const android = SAMPLE_ANDROID_DEVICE;
const iphone = {
  platform: 'ios' as const,
  appId: 'com.example.lending.ios',
  appVersion: '5.0.1',
  osVersion: '17.5',
  model: 'iPhone15,2',
  locale: 'en_GB',
  timezone: 'Europe/London',
  advertiserTrackingEnabled: false,
  applicationTrackingEnabled: true,
};
const customer = { customerId: 'c-1', email: 'jane@example.com' };
/** sha256("RegistrationCompleted:c-1"), first 40 hex characters. */
const REGISTRATION_ID = 'ad89f86f6eef62c6be4498a29ebaa8bda320bc4a';
/** sha256("jane@example.com") */
const JANE_EMAIL = '8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d';
/** sha256("c-1") */
const EXTERNAL_ID = 'a6f7ef47ee8dc84af9056a3051ddc302f19581a96eb7e12f510fdf550326a399';

const registration = (
  occurredAt = '2026-11-22T09:00:00.000Z',
  device: typeof android | typeof iphone = android,
): MarketingEvent =>
  registrationCompletedV1.create(
    { customer, device, method: 'google' },
    { id: 'RegistrationCompleted:c-1', occurredAt },
  );
const money = { product: 'personal-loan', amount: 1500, currency: 'GBP' };
const ofEveryType: MarketingEvent[] = [
  registration(),
  loanApplicationSubmittedV1.create(
    { customer, device: android, applicationId: 'a-1', ...money },
    { id: 'LoanApplicationSubmitted:a-1', occurredAt: '2026-11-22T09:00:00.000Z' },
  ),
  loanApprovedV1.create(
    { customer, device: android, applicationId: 'a-1', loanId: 'l-1', ...money },
    { id: 'LoanApproved:a-1', occurredAt: '2026-11-22T09:00:00.000Z' },
  ),
  loanDisbursedV1.create(
    { customer, device: android, loanId: 'l-1', ...money },
    { id: 'LoanDisbursed:l-1', occurredAt: '2026-11-22T09:00:00.000Z' },
  ),
  firstRepaymentMadeV1.create(
    { customer, device: android, loanId: 'l-1', amount: 120.5, currency: 'GBP' },
    { id: 'FirstRepaymentMade:l-1', occurredAt: '2026-11-22T09:00:00.000Z' },
  ),
];

const sent: { url: string; body: string; headers: Record<string, string> }[] = [];
const http: HttpTransport = {
  async post(url, body, headers) {
    sent.push({ url, body, headers });
    return { status: 200, body: {} };
  },
};
beforeEach(() => (sent.length = 0));

describe('routing', () => {
  it('sends every event type to the platforms that take it, and the first repayment not to Meta', () => {
    expect(DEFAULT_ROUTING).toEqual({
      RegistrationCompleted: ['meta', 'ga4', 'webhook'],
      LoanApplicationSubmitted: ['meta', 'ga4', 'webhook'],
      LoanApproved: ['meta', 'ga4', 'webhook'],
      LoanDisbursed: ['meta', 'ga4', 'webhook'],
      FirstRepaymentMade: ['ga4', 'webhook'],
    });
    expect(PLATFORM_NAMES).toEqual(['meta', 'ga4', 'webhook']);
    expect(platformNamed('ga4').name).toBe('ga4');
    expect(() => platformNamed('tiktok')).toThrow('unknown marketing platform "tiktok"; platforms: meta, ga4, webhook');
  });
});

describe('Meta', () => {
  const prepared = (event: MarketingEvent, now = NOW) => {
    const result = toMetaEvent(event, now);
    if (!result.ok) throw new Error(result.reason);
    return result.payload;
  };

  it('maps a registration to a known app event', () => {
    expect(prepared(registration())).toEqual({
      event_name: 'CompleteRegistration',
      event_time: 1795338000,
      event_id: REGISTRATION_ID,
      action_source: 'app',
      user_data: {
        em: [JANE_EMAIL],
        external_id: [EXTERNAL_ID],
      },
      app_data: {
        advertiser_tracking_enabled: 1,
        application_tracking_enabled: 1,
        extinfo: ['a2', 'com.example.lending', '4.2.0', '4.2.0', '14', '', '', '', '', '', '', '', '', '', '', ''],
      },
    });
  });

  it('names each event type as Meta expects, with value, currency and product where there is one', () => {
    expect(
      ofEveryType.slice(0, 4).map((event) => {
        const { event_name, custom_data } = prepared(event);
        return { event_name, custom_data };
      }),
    ).toEqual([
      { event_name: 'CompleteRegistration', custom_data: undefined },
      { event_name: 'SubmitApplication', custom_data: { value: 1500, currency: 'GBP', content_name: 'personal-loan' } },
      { event_name: 'LoanApproved', custom_data: { value: 1500, currency: 'GBP', content_name: 'personal-loan' } },
      { event_name: 'LoanDisbursed', custom_data: { value: 1500, currency: 'GBP', content_name: 'personal-loan' } },
    ]);
    expect(prepared(ofEveryType[4]!)).toMatchObject({
      event_name: 'FirstRepayment',
      custom_data: { value: 120.5, currency: 'GBP' },
    });
  });

  it("describes an iPhone in extinfo's sixteen places, and its tracking consent", () => {
    expect(prepared(registration(undefined, iphone)).app_data).toEqual({
      advertiser_tracking_enabled: 0,
      application_tracking_enabled: 1,
      extinfo: [
        'i2',
        'com.example.lending.ios',
        '5.0.1',
        '5.0.1',
        '17.5',
        'iPhone15,2',
        'en_GB',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        'Europe/London',
      ],
    });
  });

  it('takes events up to 7 days old and up to 10 minutes in the future (clock skew), and refuses the rest', () => {
    const at = (iso: string) => {
      const result = toMetaEvent(registration(iso), NOW);
      return result.ok ? 'ok' : result.reason;
    };
    expect(at('2026-11-15T10:00:00.000Z')).toBe('ok');
    expect(at('2026-11-15T09:59:59.999Z')).toBe(
      'meta: the event is 7.0 days old; Meta accepts events at most 7 days old',
    );
    expect(at('2026-11-22T10:10:00.000Z')).toBe('ok');
    expect(at('2026-11-22T10:10:00.001Z')).toBe(
      "meta: the event is dated in the future (2026-11-22T10:10:00.001Z); fix the producer's clock",
    );
    expect(prepared(registration('2026-11-22T09:00:00.999Z')).event_time).toBe(1795338000);
  });

  it('posts batches to the dataset with the token in the body, and the test code when there is one', async () => {
    const payloads = [prepared(registration())];
    await metaDestination(
      { baseUrl: 'https://graph.example/', apiVersion: 'v24.0', datasetId: '42', accessToken: 'token' },
      http,
    ).send(payloads);
    await metaDestination(
      {
        baseUrl: 'https://graph.example',
        apiVersion: 'v24.0',
        datasetId: '42',
        accessToken: 't',
        testEventCode: 'TEST1',
      },
      http,
    ).send(payloads);
    expect(sent.map((s) => s.url)).toEqual([
      'https://graph.example/v24.0/42/events',
      'https://graph.example/v24.0/42/events',
    ]);
    expect(JSON.parse(sent[0]!.body)).toEqual({ data: payloads, access_token: 'token' });
    expect(JSON.parse(sent[1]!.body)).toEqual({ data: payloads, access_token: 't', test_event_code: 'TEST1' });
    expect(sent[0]!.headers).toEqual({ 'content-type': 'application/json' });
  });
});

describe('GA4', () => {
  const prepared = (event: MarketingEvent, now = NOW) => {
    const result = toGa4Request(event, now);
    if (!result.ok) throw new Error(result.reason);
    return result.payload;
  };

  it('maps a registration to a known request, times in microseconds', () => {
    expect(prepared(registration('2026-11-22T09:00:00.123Z'))).toEqual({
      app_instance_id: '0123456789abcdef0123456789abcdef',
      user_id: EXTERNAL_ID,
      timestamp_micros: 1795338000123000,
      events: [
        {
          name: 'sign_up',
          timestamp_micros: 1795338000123000,
          params: { event_id: REGISTRATION_ID, engagement_time_msec: 1, method: 'google' },
        },
      ],
    });
  });

  it('names each event type as GA4 expects, with value, currency and product where there is one', () => {
    expect(ofEveryType.map((event) => prepared(event).events[0])).toEqual([
      expect.objectContaining({ name: 'sign_up' }),
      expect.objectContaining({
        name: 'loan_application_submitted',
        params: expect.objectContaining({ value: 1500, currency: 'GBP', product: 'personal-loan' }),
      }),
      expect.objectContaining({ name: 'loan_approved' }),
      expect.objectContaining({ name: 'loan_disbursed' }),
      {
        name: 'first_repayment',
        timestamp_micros: 1795338000000000,
        params: {
          event_id: expect.stringMatching(/^[0-9a-f]{40}$/),
          engagement_time_msec: 1,
          value: 120.5,
          currency: 'GBP',
        },
      },
    ]);
  });

  it('takes events up to 72 hours old, and refuses older ones with their age', () => {
    const at = (iso: string) => {
      const result = toGa4Request(registration(iso), NOW);
      return result.ok ? 'ok' : result.reason;
    };
    expect(at('2026-11-19T10:00:00.000Z')).toBe('ok');
    expect(at('2026-11-19T09:59:59.999Z')).toBe('ga4: the event is 72 hours old; GA4 accepts at most 72');
    expect(at('2026-11-19T04:00:00.000Z')).toBe('ga4: the event is 78 hours old; GA4 accepts at most 72');
  });

  it('posts one request per user: one event as it is, several under the earliest time', async () => {
    const destination = ga4Destination(
      {
        baseUrl: 'https://ga.example/',
        firebaseAppId: '1:23:android:ab',
        apiSecret: 's e/cret',
        delivery: 'at-most-once',
      },
      http,
    );
    const first = prepared(registration('2026-11-22T09:00:00.000Z'));
    const second = prepared(ofEveryType[3]!);
    expect(destination.requestKey!(first)).toBe(`0123456789abcdef0123456789abcdef|${EXTERNAL_ID}`);
    await destination.send([first]);
    await destination.send([second, first]);
    expect(sent[0]!.url).toBe(
      'https://ga.example/mp/collect?firebase_app_id=1%3A23%3Aandroid%3Aab&api_secret=s%20e%2Fcret',
    );
    expect(JSON.parse(sent[0]!.body)).toEqual(first);
    expect(JSON.parse(sent[1]!.body)).toEqual({
      app_instance_id: first.app_instance_id,
      user_id: EXTERNAL_ID,
      timestamp_micros: Math.min(first.timestamp_micros, second.timestamp_micros),
      events: [...second.events, ...first.events],
    });
  });
});

describe('webhook', () => {
  it('sends hashed identifiers, the device and the business fields, under the stable id', () => {
    const event = ofEveryType[2]!;
    const result = toWebhookEvent(event);
    expect(result).toEqual({
      ok: true,
      payload: {
        eventId: expect.stringMatching(/^[0-9a-f]{40}$/),
        type: 'LoanApproved',
        occurredAt: '2026-11-22T09:00:00.000Z',
        customer: { externalId: EXTERNAL_ID, emailSha256: JANE_EMAIL },
        device: { platform: 'android', appId: 'com.example.lending', appVersion: '4.2.0' },
        properties: { applicationId: 'a-1', loanId: 'l-1', product: 'personal-loan', amount: 1500, currency: 'GBP' },
      },
    });
    expect(toWebhookEvent(registration())).toMatchObject({
      payload: { eventId: REGISTRATION_ID, properties: { method: 'google' } },
    });
    expect(JSON.stringify(result)).not.toContain('jane@example.com');
  });

  it('signs each request at the time it is sent, and keys it by the events it carries', async () => {
    const payload = toWebhookEvent(registration());
    if (!payload.ok) throw new Error('unexpected');
    const destination = webhookDestination(
      { url: 'https://hooks.example/in', signingKey: 'k' },
      http,
      () => 1_700_000_000_999,
    );
    await destination.send([payload.payload]);
    const [request] = sent;
    expect(request!.url).toBe('https://hooks.example/in');
    expect(JSON.parse(request!.body)).toEqual({ events: [payload.payload] });
    expect(request!.headers).toEqual({
      'content-type': 'application/json',
      'x-signature': webhookSignature('k', request!.body, 1_700_000_000),
      // sha256 of the events' ids joined by commas (one here), first 40 hex characters.
      'idempotency-key': '7cd0838e367f0e4f8f2eeb111caa5eafa617ff38',
    });
  });
});

describe('limits and edges', () => {
  it("checks GA4's limits at their edges: 40-character names, 100-character values, 25 parameters", () => {
    const forty = `a${'b'.repeat(39)}`;
    expect(ga4Problems(forty, { [forty]: 'v'.repeat(100) })).toEqual([]);
    expect(ga4Problems(`${forty}c`, {})).toEqual([`event name "${forty}c" is longer than 40 characters`]);
    expect(ga4Problems('e', Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, i])))).toEqual([]);
  });

  it('sends GA4 only the parameters an event has (none undefined), and refuses one that breaks a limit', () => {
    const plain = registrationCompletedV1.create({ customer, device: android }, { occurredAt: NOW });
    const result = toGa4Request(plain, NOW);
    expect(result.ok && result.payload.events[0]!.params).toStrictEqual({
      event_id: expect.stringMatching(/^[0-9a-f]{40}$/),
      engagement_time_msec: 1,
    });
    const approved = toGa4Request(ofEveryType[2]!, NOW);
    expect(approved.ok && Object.keys(approved.payload.events[0]!.params)).toEqual([
      'event_id',
      'engagement_time_msec',
      'value',
      'currency',
      'product',
    ]);
    // Bypassing the contract (its product is at most 64 characters) to reach GA4's own check.
    const long = { ...ofEveryType[2]!, data: { ...ofEveryType[2]!.data, product: 'p'.repeat(101) } } as MarketingEvent;
    expect(toGa4Request(long, NOW)).toEqual({
      ok: false,
      reason: 'ga4: parameter product is 101 characters; GA4 takes 100',
    });
  });

  it("declares each platform's name, batching and bisection, and posts JSON", async () => {
    const ga4 = ga4Destination(
      { baseUrl: 'https://ga.example', firebaseAppId: 'a', apiSecret: 's', delivery: 'at-most-once' },
      http,
    );
    const meta = metaDestination(
      { baseUrl: 'https://g.example', apiVersion: 'v24.0', datasetId: '1', accessToken: 't' },
      http,
    );
    const webhook = webhookDestination({ url: 'https://h.example', signingKey: 'k' }, http);
    expect([ga4, meta, webhook].map((d) => [d.name, d.maxBatch, d.bisectOnRejection])).toEqual([
      ['ga4', 25, false],
      ['meta', 1000, true],
      ['webhook', 100, true],
    ]);
    const early = toGa4Request(registration('2026-11-22T08:00:00.000Z'), NOW);
    const late = toGa4Request(registration('2026-11-22T09:30:00.000Z'), NOW);
    if (!early.ok || !late.ok) throw new Error('unexpected');
    await ga4.send([late.payload]);
    await ga4.send([late.payload, early.payload]);
    expect(sent.map((s) => s.headers)).toEqual([
      { 'content-type': 'application/json' },
      { 'content-type': 'application/json' },
    ]);
    expect(JSON.parse(sent[1]!.body)).toMatchObject({ timestamp_micros: early.payload.timestamp_micros });
  });

  it('reads Meta’s codes about us (token, session, permissions 10 and 200-299) as refusing us, and keeps the message of an answer without a code', () => {
    const verdict = (code: number) => readMetaRejection({ status: 400, body: { error: { code } } }).verdict;
    expect([190, 102, 10, 199, 200, 299, 300].map(verdict)).toEqual([
      'refused-us',
      'refused-us',
      'refused-us',
      undefined,
      'refused-us',
      'refused-us',
      undefined,
    ]);
    expect(readMetaRejection({ status: 500, body: { error: { message: 'Service temporarily unavailable' } } })).toEqual(
      {
        message: 'Service temporarily unavailable',
      },
    );
  });

  it('takes Meta’s settings from these variables, with these defaults and checks, and sends at least once', () => {
    const settings = Object.fromEntries(settingsOf(platformNamed('meta')));
    expect(settings).toEqual({
      baseUrl: { env: 'META_BASE_URL', default: 'https://graph.facebook.com', schema: expect.anything() },
      apiVersion: { env: 'META_API_VERSION', default: 'v24.0', schema: expect.anything() },
      datasetId: { env: 'META_DATASET_ID' },
      accessToken: { env: 'META_ACCESS_TOKEN', secret: true },
      testEventCode: { env: 'META_TEST_EVENT_CODE', optional: true },
    });
    const version = settings['apiVersion']!.schema!;
    expect(
      ['v24.0', 'v3.10', 'v24', '24.0', 'v24.0.1', 'xv24.0', 'vX.0', 'v24.x'].map((v) => version.safeParse(v).success),
    ).toEqual([true, true, false, false, false, false, false, false]);
    expect(settings['baseUrl']!.schema!.safeParse('not a url').success).toBe(false);
    const meta = metaDestination(
      { baseUrl: 'https://g.example', apiVersion: 'v24.0', datasetId: '1', accessToken: 't' },
      { post: async () => ({ status: 200, body: {} }) },
    );
    expect({ name: meta.name, delivery: meta.delivery, maxBatch: meta.maxBatch }).toEqual({
      name: 'meta',
      delivery: 'at-least-once',
      maxBatch: 1000,
    });
  });

  it("reads Meta's business-use-case throttle codes 80000-80014 as retryable, and its error subcode", () => {
    const verdict = (code: number) => readMetaRejection({ status: 400, body: { error: { code } } }).verdict;
    expect([79999, 80000, 80014, 80015].map(verdict)).toEqual([undefined, 'retryable', 'retryable', undefined]);
    expect(graphErrorOf({ error: { code: 100, error_subcode: 2804003, message: 'x' } })).toEqual({
      code: 100,
      subcode: 2804003,
      message: 'x',
    });
    expect(graphErrorOf(null)).toEqual({ code: undefined, subcode: undefined, message: undefined });
    expect(graphErrorOf({ error: { code: '100', error_subcode: '1' } })).toEqual({
      code: undefined,
      subcode: undefined,
      message: undefined,
    });
  });

  it('describes an answer with at most 200 characters of its body, whatever its form', () => {
    expect(describeAnswer('ga4', { status: 500, body: 'x'.repeat(300) })).toBe(`ga4 answered 500: ${'x'.repeat(200)}`);
    expect(describeAnswer('ga4', { status: 500, body: { message: 'y'.repeat(300) } })).toHaveLength(
      'ga4 answered 500: '.length + 200,
    );
    expect(describeAnswer('ga4', { status: 502, body: undefined })).toBe('ga4 answered 502: undefined');
    expect(new TransportError('x').name).toBe('TransportError');
    expect(classifyAnswer({ status: 300, body: '' })).toBe('permanent');
    expect(classifyAnswer({ status: 299, body: '' })).toBe('ok');
  });

  it('hashes only the identifiers a customer has, and ignores letters in a phone number', () => {
    expect(hashedIdentity({ customerId: 'c-1' })).toStrictEqual({ externalId: EXTERNAL_ID });
    expect(normalisePhone('+44 7700 900123 (mobile)')).toBe('447700900123');
    expect(normaliseCountry(' GB ')).toBe('gb');
  });
});

describe('match keys: the identifiers each platform can match a delivered event to a person with', () => {
  const http: HttpTransport = { post: async () => ({ status: 200, body: {} }) };
  const full = registrationCompletedV1.create(
    {
      customer: {
        customerId: 'c-9',
        email: 'ana@example.com',
        phone: '+254712345678',
        firstName: 'Ana',
        dateOfBirth: '1990-04-01',
        country: 'KE',
      },
      device: android,
    },
    { id: 'RegistrationCompleted:c-9', occurredAt: '2026-11-22T09:00:00.000Z' },
  );
  const bare = registration();
  const keysAt = <P>(destination: Destination<P>, event: MarketingEvent) => {
    const prepared = destination.prepare(event, NOW);
    if (!prepared.ok) throw new Error(prepared.reason);
    return [...destination.matchKeys!(prepared.payload)].sort();
  };

  it('Meta: every identifier its user_data carries (a first or last name is "name")', () => {
    const meta = metaDestination({ baseUrl: 'https://m', apiVersion: 'v24.0', datasetId: '1', accessToken: 't' }, http);
    expect(keysAt(meta, full)).toEqual(['country', 'dateOfBirth', 'email', 'externalId', 'name', 'phone']);
    expect(keysAt(meta, bare)).toEqual(['email', 'externalId']);
  });

  it('GA4: the user id alone; the webhook: the external id, and the email and phone digests it carries', () => {
    const ga4 = ga4Destination(
      { baseUrl: 'https://g', firebaseAppId: 'a', apiSecret: 's', delivery: 'at-most-once' },
      http,
    );
    expect(keysAt(ga4, full)).toEqual(['externalId']);
    const webhook = webhookDestination({ url: 'https://w', signingKey: 'k' }, http);
    expect(keysAt(webhook, full)).toEqual(['email', 'externalId', 'phone']);
    expect(keysAt(webhook, bare)).toEqual(['email', 'externalId']);
  });
});
