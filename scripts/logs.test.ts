import { durationMs, formatLogLine, matches, type LogQuery } from './logs';

const query: LogQuery = { service: 'svc', fn: 'handle', stage: 'local', sinceMs: 60_000, limit: 10 };
const now = Date.parse('2026-12-07T12:00:00Z');
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message: 'done',
    timestamp: '2026-12-07T11:59:30.000Z',
    service: 'svc',
    function_name: 'svc-local-handle',
    function_request_id: 'r-1',
    cold_start: false,
    ...fields,
  });

it('reads --since as a duration, saying what it takes', () => {
  expect(durationMs('30s')).toBe(30_000);
  expect(durationMs('15m')).toBe(900_000);
  expect(durationMs('2h')).toBe(7_200_000);
  expect(durationMs('1d')).toBe(86_400_000);
  expect(() => durationMs('yesterday')).toThrow('--since takes a duration such as 30s, 15m, 2h or 1d');
});

it('shows time, level, message, correlation id and the line’s own fields; the Lambda context left out', () => {
  expect(formatLogLine(line({ correlationId: 'c-1', destination: 'meta', attempt: 2, detail: { a: 1 } }))).toBe(
    '2026-12-07T11:59:30.000Z  INFO   done  [c-1]  destination=meta attempt=2 detail={"a":1}',
  );
  expect(formatLogLine('REPORT RequestId: r-1 Duration: 12 ms\n')).toBe('REPORT RequestId: r-1 Duration: 12 ms');
});

it('keeps only the function’s own lines, within the time asked, with the term and correlation asked', () => {
  expect(matches(line({}), query, now)).toBe(true);
  expect(matches(line({ function_name: 'svc-local-other' }), query, now)).toBe(false);
  expect(matches(line({ timestamp: '2026-12-07T11:58:00.000Z' }), query, now)).toBe(false);
  expect(matches(line({ correlationId: 'c-1' }), { ...query, correlation: 'c-2' }, now)).toBe(false);
  expect(matches(line({ correlationId: 'c-2' }), { ...query, correlation: 'c-2' }, now)).toBe(true);
  expect(matches(line({}), { ...query, filter: 'nowhere' }, now)).toBe(false);
  expect(matches('Starting Offline at stage local', query, now)).toBe(false);
});
