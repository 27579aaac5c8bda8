/**
 * Adding a marketing platform is one definition (its routes, settings and destination), its registration and a
 * stand-in for local runs. A toy platform added here, without touching anything else, is routed, delivered
 * through the real dispatcher and HTTP transport, and counted by the sandbox alongside the built-in ones.
 */
import { createLogger } from '@backbone/shared';
import { createMarketingEvent, type MarketingEvent } from '../contracts';
import { lambdaContext, sqsRecordFactory } from '@backbone/shared/testing';
import { sampleMarketingEvent } from '../contracts/testing';
import { createHttpTransport } from '../src/adapters/http-transport';
import { createMemoryDeliveryLedger } from '../src/adapters/memory-ledger';
import type { Destination } from '../src/domain/destination';
import { destinationEventIdOf } from '../src/domain/hashing';
import { definePlatform } from '../src/domain/platform';
import { PLATFORMS, routingOf } from '../src/domain/platforms';
import { createDispatchHandler } from '../src/functions/dispatch-events/handler';
import { buildDestinations } from '../src/composition-root';
import {
  countsFor,
  MARKETING_PLATFORMS,
  missingStandIns,
  sandboxClient,
  STAND_INS,
  startMarketingSandbox,
  type MarketingSandbox,
  type StandIn,
} from './sandbox';

interface ToySettings {
  url: string;
  token: string;
}

/** A platform that takes loan approvals, 50 to a request, with a bearer token. */
const toyPlatform = definePlatform<ToySettings>({
  name: 'toy',
  routes: ['LoanApproved'],
  settings: { url: { env: 'TOY_URL' }, token: { env: 'TOY_TOKEN', secret: true } },
  create: (settings, http): Destination<{ id: string; type: string }> => ({
    name: 'toy',
    maxBatch: 50,
    concurrency: 1,
    delivery: 'at-least-once',
    bisectOnRejection: false,
    prepare: (event: MarketingEvent) => ({ ok: true, payload: { id: destinationEventIdOf(event), type: event.type } }),
    send: (items) =>
      http.post(settings.url, JSON.stringify({ items }), {
        'content-type': 'application/json',
        authorization: `Bearer ${settings.token}`,
      }),
  }),
});

const toyStandIn: StandIn = {
  platform: 'toy',
  deduplicates: true,
  matches: (path) => path === '/toy/events',
  handle({ raw, body, accept, reject, respond }) {
    if (raw.headers.authorization !== 'Bearer toy-token') return reject(401, { message: 'bad token' });
    const items = body.items as { id: string; type: string }[];
    accept(items.map((item) => `${item.type}:${item.id}`));
    respond(200, { accepted: items.length });
  },
};

let sandbox: MarketingSandbox;

beforeAll(async () => {
  sandbox = await startMarketingSandbox({ port: 0, standIns: [...STAND_INS, toyStandIn] });
});

afterAll(() => sandbox.close());

describe('a new marketing platform', () => {
  it('is routed the event types it takes, beside the platforms already there', () => {
    const routing = routingOf([...PLATFORMS, toyPlatform]);
    expect(routing.LoanApproved).toEqual(['meta', 'ga4', 'webhook', 'toy']);
    expect(routing.RegistrationCompleted).toEqual(['meta', 'ga4', 'webhook']);
  });

  it('is delivered to by the dispatcher and counted by the sandbox', async () => {
    const env = {
      DESTINATIONS: 'toy,webhook',
      TOY_URL: `${sandbox.url}/toy/events`,
      TOY_TOKEN: 'toy-token',
      WEBHOOK_URL: `${sandbox.url}/webhook`,
      WEBHOOK_SIGNING_KEY: 'sandbox-webhook-key',
    };
    const destinations = await buildDestinations(
      env,
      createHttpTransport(5_000),
      () => {
        throw new Error('no secret is in SSM here');
      },
      [...PLATFORMS, toyPlatform],
    );
    const ledger = createMemoryDeliveryLedger();
    const handler = createDispatchHandler({
      destinations,
      routing: routingOf([...PLATFORMS, toyPlatform]),
      ledger,
      deadLetters: { send: async (_record, failure) => Promise.reject(new Error(failure.reason)) },
      maxReceiveCount: 3,
      logger: createLogger('test'),
    });
    const events = Array.from({ length: 10 }, (_, i) => createMarketingEvent(sampleMarketingEvent('toy', i)));
    const response = await handler(
      { Records: events.map((event) => sqsRecordFactory(JSON.stringify(event))) },
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);

    const approvals = events.filter((e) => e.type === 'LoanApproved');
    expect(approvals).toHaveLength(2);
    const received = await sandboxClient(sandbox.url).received();
    expect(countsFor(received, 'toy')).toMatchObject({ unique: approvals.length, duplicates: 0, rejected: 0 });
    expect(countsFor(received, 'webhook')).toMatchObject({ unique: events.length, duplicates: 0 });
    const delivered = await ledger.read(approvals.map((e) => e.id));
    expect([...delivered.values()].map((entry) => [...entry.delivered].sort())).toEqual([
      ['toy', 'webhook'],
      ['toy', 'webhook'],
    ]);
  });

  it('needs its settings, each named when missing', async () => {
    await expect(
      buildDestinations(
        { DESTINATIONS: 'toy', TOY_TOKEN: 'x' },
        createHttpTransport(5_000),
        () => {
          throw new Error('unused');
        },
        [toyPlatform],
      ),
    ).rejects.toThrow('destination toy is enabled: set TOY_URL');
    await expect(
      buildDestinations({ DESTINATIONS: 'toy' }, createHttpTransport(5_000), () => {
        throw new Error('unused');
      }),
    ).rejects.toThrow(/DESTINATIONS names toy, which is not a platform; platforms: meta, ga4, webhook/);
  });

  it('cannot be left without a stand-in for local runs', async () => {
    expect(missingStandIns(MARKETING_PLATFORMS, STAND_INS)).toEqual([]);
    expect(missingStandIns([...MARKETING_PLATFORMS, 'toy'], STAND_INS)).toEqual(['toy']);
    await expect(startMarketingSandbox({ port: 0, standIns: STAND_INS.slice(1) })).rejects.toThrow(
      'the marketing sandbox has no stand-in for meta: add one in services/marketing-events/local/sandbox/',
    );
  });
});
