/**
 * marketing-events under infrastructure faults, injected into the running local system (the services in
 * serverless-offline that the integration set-up started): the AWS endpoint gone for a few seconds in the
 * middle of a burst. Afterwards every event has reached every platform it is routed to, and the consumer is alive
 * (a later burst is delivered too).
 *
 * Duplicates: Meta deduplicates on the event id; GA4 and the webhook receive again what was delivered but not
 * recorded when the fault struck. Their counts are printed here; bounding them is issue 11's next part.
 */
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expectedDelivery, sandboxClient } from '@backbone/marketing-events/local';
import {
  awsClientSettings,
  awsEnvironmentSchema,
  createSqsClient,
  loadConfig,
  publishMarketingEvents,
  type MarketingEventInput,
} from '@backbone/shared';
import { sampleMarketingEvent, waitFor } from '@backbone/shared/testing';
import { up } from '../cloud';
import { sleep, stop } from '../local-cloud/processes';

const SANDBOX = 'http://127.0.0.1:4590';
const sandbox = sandboxClient(SANDBOX);
let sqs: SQSClient;
let queueUrl: string;

beforeAll(async () => {
  sqs = createSqsClient(awsClientSettings(loadConfig(awsEnvironmentSchema)));
  queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'marketing-events-local-events' }))).QueueUrl!;
});

const burst = (run: string, size: number): MarketingEventInput[] =>
  Array.from({ length: size }, (_, i) => sampleMarketingEvent(run, i));

async function publish(events: readonly MarketingEventInput[]): Promise<void> {
  const results = await publishMarketingEvents({ sqs, queueUrl }, events);
  expect(results.filter((r) => r.status !== 'sent')).toEqual([]);
}

/** Waits until every event has arrived at every platform it is routed to; returns the duplicates per platform. */
async function everyEventDelivered(events: readonly MarketingEventInput[], timeoutMs: number) {
  const expected = events.map(expectedDelivery);
  await waitFor(
    `${events.length} events at every platform they are routed to`,
    async () => {
      const arrivals = await sandbox.arrivals();
      const missing = expected.flatMap(({ id, platforms }) =>
        platforms.filter((platform) => arrivals[platform]?.[id] === undefined),
      );
      return missing.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
  const received = await sandbox.received();
  return Object.fromEntries(Object.entries(received).map(([platform, r]) => [platform, r.duplicates]));
}

describe('marketing-events under infrastructure faults', () => {
  it('rides out its AWS endpoint gone for 3 s mid-burst: nothing lost, the consumer alive', async () => {
    await sandbox.reset();
    const first = burst(`outage-${Date.now()}`, 300);
    await publish(first);
    await sleep(300);
    await stop('gateway');
    await sleep(3_000);
    await up();
    const duplicates = await everyEventDelivered(first, 100_000);
    console.log(`after a 3 s endpoint outage, duplicates per platform: ${JSON.stringify(duplicates)}`);
    // The poller that could not reach the queue is still polling.
    const second = burst(`after-outage-${Date.now()}`, 20);
    await publish(second);
    await everyEventDelivered(second, 60_000);
  });
});
