import { PermanentError, RetryableError } from '@backbone/shared';
import { type CustomerRules } from '../../contracts';
import { invokeEngine, type EngineAnswer, type EngineClient, type EngineRequest } from './invoke-engine';

const record = (customerId: string, runId = 'run-1'): CustomerRules => ({
  runId,
  customerId,
  ruleIds: ['energy-switch', 'gambling-spend'],
  on: '2026-11-30',
});

function engine(answers: EngineAnswer[]) {
  const requests: { request: EngineRequest; timeoutMs: number }[] = [];
  const client: EngineClient = {
    evaluate: async (request, { timeoutMs }) => {
      requests.push({ request, timeoutMs });
      return answers.shift() ?? { kind: 'unavailable', message: 'HTTP 503' };
    },
  };
  return { client, requests };
}

const scored = (errors: Extract<EngineAnswer, { kind: 'scored' }>['errors'] = []): EngineAnswer => ({
  kind: 'scored',
  evaluated: 4,
  written: 4,
  errors,
});
const noWait = { sleep: async () => undefined, random: () => 1, remainingMs: () => 60_000 };

describe('invoking the rules engine', () => {
  it('sends the batch’s customers in one request per run and day', async () => {
    const { client, requests } = engine([scored(), scored()]);
    const outcomes = await invokeEngine([record('c-1'), record('c-2'), record('c-3', 'run-2')], {
      engine: client,
      ...noWait,
    });
    expect(outcomes).toEqual([undefined, undefined, undefined]);
    expect(requests.map((r) => r.request)).toEqual([
      {
        runId: 'run-1',
        on: '2026-11-30',
        customers: [
          { customerId: 'c-1', ruleIds: ['energy-switch', 'gambling-spend'] },
          { customerId: 'c-2', ruleIds: ['energy-switch', 'gambling-spend'] },
        ],
      },
      {
        runId: 'run-2',
        on: '2026-11-30',
        customers: [{ customerId: 'c-3', ruleIds: ['energy-switch', 'gambling-spend'] }],
      },
    ]);
  });

  it('fails an unknown customer alone, with the engine’s reason; a retired snoop is no failure', async () => {
    const { client } = engine([
      scored([
        { customerId: 'c-2', code: 'unknown-customer', reason: 'customer c-2 is not in the customer store' },
        { customerId: 'c-1', ruleId: 'gambling-spend', code: 'not-active', reason: 'retired' },
      ]),
    ]);
    const outcomes = await invokeEngine([record('c-1'), record('c-2')], { engine: client, ...noWait });
    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]).toEqual(new PermanentError('customer c-2 is not in the customer store'));
  });

  it('retries with growing, jittered waits, at most five attempts, then fails the records for the DLQ', async () => {
    const waits: number[] = [];
    const { client, requests } = engine([]);
    const outcomes = await invokeEngine([record('c-1')], {
      engine: client,
      ...noWait,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(requests).toHaveLength(5);
    expect(waits).toEqual([250, 500, 1_000, 2_000]);
    expect(outcomes[0]).toBeInstanceOf(PermanentError);
    expect(outcomes[0]!.message).toMatch(/did not answer after 5 attempts \(last: HTTP 503\).*redrive/);
  });

  it('succeeds on a later attempt', async () => {
    const { client, requests } = engine([{ kind: 'unavailable', message: 'socket hang up' }, scored()]);
    expect(await invokeEngine([record('c-1')], { engine: client, ...noWait })).toEqual([undefined]);
    expect(requests).toHaveLength(2);
  });

  it('never goes past the function’s time: what is left comes back through the queue', async () => {
    let remaining = 20_000;
    const timeouts: number[] = [];
    // Every attempt times out, spending its whole timeout.
    const slow: EngineClient = {
      evaluate: async (_request, { timeoutMs }) => {
        timeouts.push(timeoutMs);
        remaining -= timeoutMs;
        return { kind: 'unavailable', message: `no answer within ${timeoutMs} ms` };
      },
    };
    const outcomes = await invokeEngine([record('c-1')], {
      engine: slow,
      random: () => 1,
      remainingMs: () => remaining,
      sleep: async (ms) => void (remaining -= ms),
      policy: { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 8_000, requestTimeoutMs: 5_000 },
    });
    // 20 s: 5 s, wait 1, 5 s, wait 2, 5 s; the 4 s wait would not fit in the 2 s left, which take one shorter
    // attempt; then nothing is left for a fifth.
    expect(timeouts).toEqual([5_000, 5_000, 5_000, 2_000]);
    expect(outcomes[0]).toBeInstanceOf(RetryableError);
    expect(outcomes[0]!.message).toMatch(
      /ran out of time after 4 attempts to reach the rules engine \(no answer within 2000 ms\)/,
    );
  });

  it('drops the records of a superseded run, and fails those the engine refuses', async () => {
    const superseded = engine([{ kind: 'superseded', message: 'run run-1 is not the current run' }]);
    expect(await invokeEngine([record('c-1')], { engine: superseded.client, ...noWait })).toEqual([undefined]);
    const refused = engine([{ kind: 'refused', message: 'invalid request: customers.0.ruleIds.0: a snoop id' }]);
    const [outcome] = await invokeEngine([record('c-1')], { engine: refused.client, ...noWait });
    expect(outcome).toEqual(
      new PermanentError('the rules engine refused the request: invalid request: customers.0.ruleIds.0: a snoop id'),
    );
  });
});
