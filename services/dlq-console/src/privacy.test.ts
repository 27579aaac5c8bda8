/**
 * Nothing the console returns carries a personal value to someone who may not see it: dead letters of every contract,
 * a distinct value planted in every personal field (and the envelope's ids, the correlation attribute, the FIFO group,
 * the reason, the platforms' answers), and every output of the API and the command line scanned for each planted
 * value. The control: the same scan finds them when someone allowed to unmask asks, with a reason.
 */
import { EVERY_OTHER_ROLE, plantedWorld } from './console.fixtures';
import { DLQ } from './domain/dead-letters.fixtures';
import { plantedDeadLetters, plantedIn } from './domain/planted.fixtures';

describe('what the console shows to someone without dlq:unmask', () => {
  it('plants a value in every personal field of every contract (the scan has something to find)', () => {
    const { letters, planted } = plantedDeadLetters();
    expect(new Set(letters.map((l) => l.messageType)).size).toBeGreaterThanOrEqual(20);
    expect(planted.length).toBeGreaterThan(letters.length * 3);
    for (const letter of letters) expect(plantedIn(JSON.stringify(letter), planted).length).toBeGreaterThan(0);
  });

  it('the API: every answer holds none of the planted values', async () => {
    const { planted, call, records } = plantedWorld();
    const filter = { filter: {} };
    const planAnswer = await call('POST', `/api/queues/${DLQ}/plan`, { body: filter });
    const { summary } = JSON.parse(planAnswer.text) as { summary: string };
    const answers = {
      queues: await call('GET', '/api/queues'),
      groups: await call('GET', `/api/queues/${DLQ}/groups`),
      messages: await call('GET', `/api/queues/${DLQ}/messages`, { query: { limit: '1000' } }),
      'messages by reason': await call('GET', `/api/queues/${DLQ}/messages`, { query: { reason: 'invalid' } }),
      plan: planAnswer,
      'dry run': await call('POST', `/api/queues/${DLQ}/dry-run`, { body: filter }),
      'export (JSON lines)': await call('GET', `/api/queues/${DLQ}/export`),
      'export (CSV)': await call('GET', `/api/queues/${DLQ}/export`, { query: { format: 'csv' } }),
      'a fix the contract refuses': await call('POST', `/api/queues/${DLQ}/messages/m-0-0/fix`, {
        body: { edits: [{ path: 'customer.country', value: 'not a country' }] },
      }),
      'a stale confirmation': await call('POST', `/api/queues/${DLQ}/redrives`, { body: { ...filter, confirm: 'x' } }),
      'a redrive asked for': await call('POST', `/api/queues/${DLQ}/redrives`, {
        body: { ...filter, confirm: summary },
      }),
    };
    const [redriveId] = [...records.keys()];
    const more = {
      'the redrive’s record': await call('GET', `/api/redrives/${redriveId}`),
      purge: await call('POST', `/api/queues/${DLQ}/purge`, {
        body: {
          filter: { ids: 'm-1-0' },
          confirm: `1 message of ${DLQ} (1 chosen message) back to marketing-events-local-events (1)`,
        },
      }),
      audit: await call('GET', '/api/audit'),
    };
    for (const [output, { status, text }] of Object.entries({ ...answers, ...more })) {
      expect([output, status < 500]).toEqual([output, true]);
      expect([output, plantedIn(text, planted)]).toEqual([output, []]);
    }
    expect(answers.messages.status).toBe(200);
    expect((JSON.parse(answers.messages.text) as unknown[]).length).toBeGreaterThanOrEqual(40);
  });

  it('the command line: every command’s tables and JSON hold none of the planted values', async () => {
    const { planted, cli } = plantedWorld();
    for (const argv of [
      ['queues'],
      ['messages', DLQ, '--limit', '1000'],
      ['messages', DLQ, '--json', '--limit', '1000'],
      ['show', DLQ, 'm-0-0'],
      ['show', DLQ, 'm-3-1', '--json'],
      ['groups', DLQ],
      ['groups', DLQ, '--json'],
      ['redrive', DLQ, '--dry-run'],
      ['redrive', DLQ, '--dry-run', '--json'],
      ['export', DLQ],
      ['export', DLQ, '--format', 'csv'],
      ['redrive', DLQ, '--yes', '--canary', '1', '--watch', '1', '--json'],
      ['audit', '--json'],
    ]) {
      const written: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      try {
        const { text } = await cli(argv);
        expect([argv.join(' '), plantedIn(text + written.join(''), planted)]).toEqual([argv.join(' '), []]);
      } finally {
        write.mockRestore();
      }
    }
  });

  it('the control: someone allowed to unmask, who says why, sees the planted values (and is audited)', async () => {
    const { planted, call } = plantedWorld();
    const unmasked = await call('GET', `/api/queues/${DLQ}/messages`, {
      query: { limit: '1000', unmask: 'ticket OPS-12: fixing phone numbers' },
      roles: [...EVERY_OTHER_ROLE, 'dlq:unmask'],
    });
    expect(unmasked.status).toBe(200);
    expect(plantedIn(unmasked.text, planted).length).toBeGreaterThan(planted.length / 2);
    const audit = await call('GET', '/api/audit');
    expect(audit.text).toContain('"action":"unmask"');
  });
});
