import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createMigrateCustomerStoreHandler } from './handler';

// What every migration function does is tested once (shared/src/lambda/migrations.test.ts); here, that this one
// names its service and store and counts the service's own migrations.
it('reports the service’s own migrations under its name', async () => {
  const migrations = path.resolve(__dirname, '..', '..', '..', 'migrations');
  const handler = createMigrateCustomerStoreHandler(
    () => ({ migrate: async () => [] }),
    () => migrations,
  );
  await expect(handler()).resolves.toEqual({
    service: 'snoop-scheduler',
    store: expect.stringContaining('customer_store'),
    applied: [],
    known: readdirSync(migrations).filter((file) => file.endsWith('.sql')).length,
  });
});
