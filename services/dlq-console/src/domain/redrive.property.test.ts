/**
 * A FIFO DLQ's redrive over generated queues and choices (fast-check; a failure prints its seed and smallest case):
 * whatever is chosen, each message group goes back in the order it died in, with every earlier message of a chosen
 * one's group, and nothing else.
 */
import fc from 'fast-check';
import { propertyRuns } from '@backbone/shared/testing';
import { letter, world } from './dead-letters.fixtures';
import { DEFAULT_REDRIVE_OPTIONS, executeRedrive, planRedrive } from './redrive';

describe('redriving a FIFO DLQ', () => {
  const queue = fc.array(fc.record({ group: fc.constantFrom('g1', 'g2', 'g3'), chosen: fc.boolean() }), {
    minLength: 1,
    maxLength: 30,
  });

  it('sends each group in its order, the chosen messages with every earlier one of their groups, and no other', async () => {
    await fc.assert(
      fc.asyncProperty(
        queue,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 4 }),
        async (messages, canary, workers) => {
          const w = world(
            messages.map((m, n) => letter(n, { groupId: m.group })),
            { fifo: true },
          );
          const ids = messages.flatMap((m, n) => (m.chosen ? [`m-${n}`] : []));
          const plan = await planRedrive(w.deps.index, w.dlq(), { ids });
          const outcome = await executeRedrive(
            plan,
            { ...DEFAULT_REDRIVE_OPTIONS, actor: 'ops', redriveId: 'rd', canary, workers, canaryWatchMs: 0 },
            w.deps,
          );
          // What should go: up to the last chosen message of each group, in the queue's order.
          const lastChosen = new Map<string, number>();
          messages.forEach((m, n) => m.chosen && lastChosen.set(m.group, n));
          const expected = messages.flatMap((m, n) => (n <= (lastChosen.get(m.group) ?? -1) ? [n] : []));
          expect(outcome).toMatchObject({ stage: 'done', sent: expected.length });
          const sentIndex = w.sent.map((s) => Number(/"e-(\d+)"/.exec(s.body)![1]));
          expect([...sentIndex].sort((a, b) => a - b)).toEqual(expected);
          for (const group of ['g1', 'g2', 'g3']) {
            const inGroup = w.sent.filter((s) => s.groupId === group).map((s) => Number(/"e-(\d+)"/.exec(s.body)![1]));
            expect(inGroup).toEqual([...inGroup].sort((a, b) => a - b));
          }
          // The rest stay in the DLQ.
          expect(w.inDlq.size).toBe(messages.length - expected.length);
        },
      ),
      { numRuns: propertyRuns(200) },
    );
  });
});
