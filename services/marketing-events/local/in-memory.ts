/**
 * The dispatcher with everything but the network, for benchmarks: the Lambda's own handler, Meta, GA4 and the
 * webhook mapped and batched as in AWS, platforms that accept everything, and the ledger in memory.
 */
import { createLogger, type SqsBatchHandler } from '@backbone/shared';
import { marketingBusinessKey, marketingEventId, type MarketingEventInput } from '../contracts';
import { createMemoryDeliveryLedger } from '../src/adapters/memory-ledger';
import { DEFAULT_ROUTING } from '../src/domain/platforms';
import { ga4Destination } from '../src/domain/ga4';
import { destinationEventId } from '../src/domain/hashing';
import { metaDestination } from '../src/domain/meta';
import type { HttpTransport } from '../src/domain/outcome';
import { webhookDestination } from '../src/domain/webhook';
import { createDispatchHandler } from '../src/functions/dispatch-events/handler';
import type { Platform } from './sandbox';

const accepted: HttpTransport = { post: async () => ({ status: 200, body: '' }) };

export function createInMemoryDispatcher(): SqsBatchHandler {
  return createDispatchHandler({
    destinations: [
      metaDestination({ baseUrl: 'http://meta', apiVersion: 'v24.0', datasetId: '1', accessToken: 't' }, accepted),
      ga4Destination(
        { baseUrl: 'http://ga4', firebaseAppId: '1:1:android:1', apiSecret: 's', delivery: 'at-most-once' },
        accepted,
      ),
      webhookDestination({ url: 'http://webhook', signingKey: 'k' }, accepted),
    ],
    ledger: createMemoryDeliveryLedger(),
    deadLetters: {
      send: async () => Promise.reject(new Error('nothing should fail with platforms that accept everything')),
    },
    maxReceiveCount: 5,
    logger: createLogger('in-memory-dispatcher'),
  });
}

/** Where an event should arrive, and under which id every platform deduplicates it. */
export function expectedDelivery(event: MarketingEventInput): { id: string; platforms: readonly Platform[] } {
  return {
    id: destinationEventId(marketingEventId(event.type, marketingBusinessKey(event))),
    platforms: DEFAULT_ROUTING[event.type],
  };
}
