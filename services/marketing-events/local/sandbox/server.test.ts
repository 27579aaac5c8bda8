/**
 * The sandbox's faults behave as the platforms they stand in for: slow is late, not silent, and a request whose
 * caller stopped waiting is kept by GA4 (which commits on receipt) and dropped by the others.
 */
import { createMarketingEvent, type MarketingEvent } from '../../contracts';
import { sampleMarketingEvent } from '../../contracts/testing';
import { createHttpTransport } from '../../src/adapters/http-transport';
import { ga4Destination, toGa4Request } from '../../src/domain/ga4';
import { toWebhookEvent, webhookDestination } from '../../src/domain/webhook';
import { countsFor, LOCAL_SANDBOX_CREDENTIALS, sandboxClient, startMarketingSandbox, type MarketingSandbox } from '.';

let sandbox: MarketingSandbox;
beforeAll(async () => {
  sandbox = await startMarketingSandbox({ port: 0, log: () => undefined });
});
afterAll(() => sandbox.close());
beforeEach(() => sandboxClient(sandbox.url).reset());

const event = (i: number): MarketingEvent => createMarketingEvent(sampleMarketingEvent('sandbox-test', i * 2));
const webhook = (timeoutMs: number) =>
  webhookDestination(
    { url: `${sandbox.url}/webhook`, signingKey: LOCAL_SANDBOX_CREDENTIALS.webhookSigningKey },
    createHttpTransport(timeoutMs),
  );
const ga4 = (timeoutMs: number) =>
  ga4Destination(
    {
      baseUrl: sandbox.url,
      firebaseAppId: LOCAL_SANDBOX_CREDENTIALS.ga4FirebaseAppId,
      apiSecret: LOCAL_SANDBOX_CREDENTIALS.ga4ApiSecret,
      delivery: 'at-most-once',
    },
    createHttpTransport(timeoutMs),
  );
const ga4Payload = (e: MarketingEvent) => {
  const prepared = toGa4Request(e, new Date());
  if (!prepared.ok) throw new Error(prepared.reason);
  return prepared.payload;
};
const webhookPayload = (e: MarketingEvent) => {
  const prepared = toWebhookEvent(e);
  if (!prepared.ok) throw new Error(prepared.reason);
  return prepared.payload;
};

describe('the marketing sandbox', () => {
  it('answers late, not never, under the latency fault', async () => {
    await sandboxClient(sandbox.url).faults({ latencyMs: 300, platforms: ['webhook'] });
    const started = Date.now();
    const answer = await webhook(5_000).send([webhookPayload(event(1))]);
    expect(answer.status).toBeLessThan(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(countsFor(await sandboxClient(sandbox.url).received(), 'webhook')).toMatchObject({ unique: 1 });
  });

  it('keeps for GA4, and drops for the webhook, a request whose caller stopped waiting', async () => {
    await sandboxClient(sandbox.url).faults({ latencyMs: 400, platforms: ['ga4', 'webhook'] });
    await expect(ga4(100).send([ga4Payload(event(2))])).rejects.toThrow(/within 100 ms/);
    await expect(webhook(100).send([webhookPayload(event(3))])).rejects.toThrow(/within 100 ms/);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const received = await sandboxClient(sandbox.url).received();
    expect(countsFor(received, 'ga4')).toMatchObject({ unique: 1, duplicates: 0 });
    expect(countsFor(received, 'webhook')).toMatchObject({ unique: 0 });
    expect(received.webhook?.abandoned).toBe(1);
  });

  it('says which platforms act once on an event received twice, and counts the second arrival either way', async () => {
    const payload = ga4Payload(event(4));
    await ga4(1_000).send([payload]);
    await ga4(1_000).send([payload]);
    await webhook(1_000).send([webhookPayload(event(4))]);
    await webhook(1_000).send([webhookPayload(event(4))]);
    const received = await sandboxClient(sandbox.url).received();
    expect(countsFor(received, 'ga4')).toMatchObject({ unique: 1, duplicates: 1, deduplicates: false });
    expect(countsFor(received, 'webhook')).toMatchObject({ unique: 1, duplicates: 1, deduplicates: true });
    expect(countsFor(received, 'meta')).toMatchObject({ duplicates: 0, deduplicates: true });
    // Match keys per unique event, whatever arrived twice.
    expect(countsFor(received, 'ga4').matchKeys).toEqual({ externalId: 1 });
    expect(countsFor(received, 'webhook').matchKeys).toMatchObject({ externalId: 1 });
  });
});
