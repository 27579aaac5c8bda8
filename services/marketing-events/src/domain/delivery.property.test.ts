/**
 * Properties of delivery over generated inputs (fast-check; a failure prints its seed and smallest input): bisection
 * delivers every good event of a batch a platform rejects for one bad event, and the delivery ledger converges on
 * every dispatcher's marks whatever the order their writes land in.
 */
import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import type { LedgerChange } from '../../contracts';
import { createMemoryDeliveryLedger } from '../adapters/memory-ledger';
import { sendWithBisection, type Destination } from './destination';

describe('bisecting a batch the platform rejects whole', () => {
  /** Meta's way: one bad payload in a request and the whole request is refused (400, code 100). */
  function rejectingWhole(answerRetryableAt: number | undefined) {
    const requests: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const destination: Destination<{ index: number; bad: boolean }> = {
      name: 'meta',
      maxBatch: 1_000,
      concurrency: 4,
      delivery: 'at-least-once',
      bisectOnRejection: true,
      prepare: () => ({ ok: false, reason: 'unused' }),
      async send(payloads) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        requests.push(payloads.map((p) => p.index));
        await Promise.resolve();
        inFlight--;
        if (requests.length === answerRetryableAt) return { status: 503, body: 'busy' };
        return payloads.some((p) => p.bad)
          ? { status: 400, body: { error: { code: 100, message: 'Invalid parameter' } } }
          : { status: 200, body: {} };
      },
    };
    return { destination, requests, maxInFlight: () => maxInFlight };
  }

  const batches = fc
    .array(fc.boolean(), { minLength: 1, maxLength: 120 })
    .map((flags) => flags.map((bad, index) => ({ index, bad: bad && index % 3 === 0 })));

  it('delivers every good event, fails each bad one alone, in order, one request at a time, within 2·bad·log2(n)+1 requests', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (payloads) => {
        const { destination, requests, maxInFlight } = rejectingWhole(undefined);
        const outcomes = await sendWithBisection(destination, payloads);
        expect(outcomes).toHaveLength(payloads.length);
        payloads.forEach((p, i) => expect(outcomes[i]!.status).toBe(p.bad ? 'permanent' : 'delivered'));
        const bad = payloads.filter((p) => p.bad).length;
        expect(requests.length).toBeLessThanOrEqual(2 * bad * Math.ceil(Math.log2(payloads.length) + 1) + 1);
        expect(maxInFlight()).toBe(1);
        // Every event reached the platform in a request that it accepted, or alone in one it refused.
        for (const p of payloads.filter((q) => !q.bad))
          expect(requests.some((r) => r.includes(p.index) && r.every((i) => !payloads[i]!.bad))).toBe(true);
      }),
      { numRuns: propertyRuns(200) },
    );
  });

  it('keeps a retryable answer mid-bisection with its own request’s events, and the rest as they are', async () => {
    await fc.assert(
      fc.asyncProperty(batches, fc.integer({ min: 2, max: 6 }), async (payloads, retryableAt) => {
        const { destination, requests } = rejectingWhole(retryableAt);
        const outcomes = await sendWithBisection(destination, payloads);
        const unlucky = new Set(requests[retryableAt - 1] ?? []);
        payloads.forEach((p, i) => {
          const status = outcomes[i]!.status;
          if (unlucky.has(p.index)) expect(status).toBe('retryable');
          else expect(status).toBe(p.bad ? 'permanent' : 'delivered');
        });
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

describe('the delivery ledger under interleaved dispatchers', () => {
  const PLATFORMS = ['meta', 'ga4', 'webhook'] as const;
  /** One dispatcher's writes for one event and platform: note the send, then settle it, delivered or not. */
  const dispatcherRun = fc.record({
    event: fc.constantFrom('e1', 'e2', 'e3'),
    platform: fc.constantFrom(...PLATFORMS),
    delivered: fc.boolean(),
  });

  it('ends with each delivered platform marked and none left sending, in any interleaving of the writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dispatcherRun, { maxLength: 12 }), fc.scheduler(), async (runs, s) => {
        const ledger = createMemoryDeliveryLedger();
        const write = (changes: Record<string, LedgerChange>) => ledger.write(new Map(Object.entries(changes)));
        // Each write waits for the scheduler's leave: the scheduler picks which dispatcher's next write lands next.
        const landing = runs.map(async ({ event, platform, delivered }) => {
          await s.schedule(Promise.resolve(`${event}: ${platform} sending`));
          await write({ [event]: { sending: [platform] } });
          await s.schedule(Promise.resolve(`${event}: ${platform} settled`));
          await write({
            [event]: delivered ? { delivered: [platform], settled: [platform] } : { settled: [platform] },
          });
        });
        await s.waitFor(Promise.all(landing));
        const entries = await ledger.read(['e1', 'e2', 'e3']);
        for (const event of ['e1', 'e2', 'e3']) {
          const mine = runs.filter((r) => r.event === event);
          const entry = entries.get(event);
          if (mine.length === 0) {
            expect(entry).toBeUndefined();
            continue;
          }
          const deliveredTo = new Set(mine.filter((r) => r.delivered).map((r) => r.platform));
          expect(entry!.delivered).toEqual(deliveredTo);
          // Each run settles after its own note, so the last write for a platform is a settle: none is left sending.
          expect(entry!.sending).toEqual(new Set());
        }
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
