import { createLogger } from '@backbone/shared';
import { DLQ, letter, world } from '../../domain/dead-letters.fixtures';
import { createSweepDeadLettersHandler } from './handler';

describe('sweepDeadLetters handler', () => {
  it('indexes what a DLQ holds and the index lacks, and says how many it added', async () => {
    const w = world([letter(1), letter(2), letter(3)]);
    // The index lost two of the three (their notices never arrived).
    w.indexed.delete('m-2');
    w.indexed.delete('m-3');
    const handler = createSweepDeadLettersHandler({ ...w.deps, logger: createLogger('test') });
    const results = await handler();
    expect(results).toEqual([{ dlq: DLQ, depth: 3, indexed: 3, added: 2 }]);
    expect([...w.indexed.keys()].sort()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(w.indexed.get('m-2')).toMatchObject({ indexedBy: 'sweeper' });
  });
});
