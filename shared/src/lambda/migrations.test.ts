import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMigrationHandler } from './migrations';

const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
for (const file of ['1_a.sql', '2_b.sql', 'README.md']) writeFileSync(path.join(dir, file), '');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const what = { service: 'svc', store: 'PostgreSQL (things)', extension: '.sql' as const };

it('applies the packaged migrations and answers what it applied and how many of its kind the package holds', async () => {
  const migrate = jest.fn(async () => ['2_b']);
  const handler = createMigrationHandler(
    what,
    () => ({ migrate }),
    () => dir,
  );
  await expect(handler()).resolves.toEqual({
    service: 'svc',
    store: 'PostgreSQL (things)',
    applied: ['2_b'],
    known: 2,
  });
  expect(migrate).toHaveBeenCalledWith(dir);
});

it('fails the invocation when a migration fails, so that npm run migrate exits non-zero', async () => {
  const handler = createMigrationHandler(
    what,
    () => ({ migrate: () => Promise.reject(new Error('relation already exists')) }),
    () => dir,
  );
  await expect(handler()).rejects.toThrow('relation already exists');
});

it('fails, saying where and what to do, when the package holds no migrations folder', async () => {
  const handler = createMigrationHandler(
    what,
    () => ({ migrate: async () => [] }),
    () => path.join(dir, 'absent'),
  );
  await expect(handler()).rejects.toThrow(
    /no migrations at .*absent: package them with the function \(package.patterns: \['migrations\/\*\.sql'\]\)/,
  );
});
