import { performance } from 'node:perf_hooks';
import { appInstalledV1, loginSucceededV1, signUpAttemptedV1, customerLoanDisbursedV1, loadConfig } from '@backbone/shared';
import { cassandraEnvironmentSchema, createCassandraClient } from '@backbone/shared/cassandra';
import { DEFAULT_POLICY, ingestDeviceEvent, openDeviceStores } from '@backbone/device-ownership/local';
import { applyLocalEnvironment } from '../local-cloud/environment';

async function run(label: string, op: (i: number) => Promise<unknown>, ms = 4000) {
  let i = 0; const until = performance.now() + ms; const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, async () => { while (performance.now() < until) await op(i++); }));
  console.log(label, Math.round(i / ((performance.now() - t0) / 1000)), '/s');
}
(async () => {
  applyLocalEnvironment();
  const env = { ...process.env, CASSANDRA_KEYSPACE: 'device_bench' };
  let rows = 0;
  const stores = openDeviceStores(env, { onRowsWritten: (n) => (rows += n) });
  const raw = createCassandraClient({ ...loadConfig(cassandraEnvironmentSchema, env), CASSANDRA_KEYSPACE: 'device_bench' });
  const now = Date.now();
  const kind = process.argv[2] ?? 'all';
  const make = (i: number) => {
    const device = `bench-l-${(i * 7919) % 200000}`; const at = new Date(now - (i % 1000) * 60000);
    if (kind === 'login') return loginSucceededV1.create({ deviceId: device, customerId: `c${i % 1000}` }, { occurredAt: at });
    if (kind === 'attempt') return signUpAttemptedV1.create({ deviceId: device, customerId: `c${i}` }, { occurredAt: at });
    if (kind === 'install') return appInstalledV1.create({ deviceId: device, installId: `i${i}`, platform: 'ios' }, { occurredAt: at });
    return customerLoanDisbursedV1.create({ customerId: `bench-owner-${(i * 7919) % 200000}`, loanId: `l${i}` }, { occurredAt: at });
  };
  const events = Array.from({ length: 200000 }, (_, i) => make(i));
  await run('warm raw', (i) => raw.execute('UPDATE devices_by_customer SET last_seen = ? WHERE customer_id = ? AND device_id = ?', [new Date(), `r${i % 50000}`, 'd'], { prepare: true }), 2000);
  await run('raw writes', (i) => raw.execute('UPDATE devices_by_customer SET last_seen = ? WHERE customer_id = ? AND device_id = ?', [new Date(), `r${i % 50000}`, 'd'], { prepare: true }));
  await run(`warm ${kind}`, (i) => ingestDeviceEvent(events[i % events.length]!, stores.events, DEFAULT_POLICY), 2000);
  rows = 0;
  let n = 0;
  await run(`ingest ${kind}`, (i) => (n++, ingestDeviceEvent(events[(i + 50000) % events.length]!, stores.events, DEFAULT_POLICY)));
  console.log('rows/event', (rows / n).toFixed(2));
  await stores.close(); await raw.shutdown();
})();
