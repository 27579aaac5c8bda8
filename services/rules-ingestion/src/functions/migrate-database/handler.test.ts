import path from 'node:path';
import { createMigrateDatabaseHandler } from './handler';

const migrations = path.resolve(__dirname, '..', '..', '..', 'migrations');

it('applies the packaged migrations and answers what it applied and how many the package holds', async () => {
  const migrate = jest.fn(async (dir: string) => [`applied from ${path.basename(dir)}`]);
  const handler = createMigrateDatabaseHandler(
    () => ({ migrate }),
    () => migrations,
  );
  const report = await handler();
  expect(migrate).toHaveBeenCalledWith(migrations);
  expect(report).toEqual({
    service: 'rules-ingestion',
    store: expect.stringContaining('PostgreSQL'),
    applied: ['applied from migrations'],
    known: expect.any(Number),
  });
  expect(report.known).toBeGreaterThanOrEqual(1);
});

it('fails the invocation when a migration fails, so that npm run migrate exits non-zero', async () => {
  const handler = createMigrateDatabaseHandler(
    () => ({ migrate: () => Promise.reject(new Error('relation already exists')) }),
    () => migrations,
  );
  await expect(handler()).rejects.toThrow('relation already exists');
});

it('fails, saying where, when the package holds no migrations folder', async () => {
  const handler = createMigrateDatabaseHandler(
    () => ({ migrate: async () => [] }),
    () => path.join(migrations, 'absent'),
  );
  await expect(handler()).rejects.toThrow(/no migrations at .*absent: package them with the function/);
});
