/**
 * Client-to-node TLS, as every AWS stage connects (CASSANDRA_TLS=true), proved against the real local node, which
 * also accepts TLS on its one port (its client_encryption_options are optional: the local stage stays plain): the
 * services' own client factory, given the node's CA, reads and writes; trusting only the runtime's CAs, it refuses the
 * node's self-signed certificate, so the handshake and the check really happen.
 */
import { randomUUID } from 'node:crypto';
import { cassandraEnvironmentSchema, createCassandraClient } from '@backbone/shared/cassandra';
import { loadConfig } from '@backbone/shared';
import { cassandraTls } from '../local-cloud/components/cassandra';

const env = loadConfig(cassandraEnvironmentSchema);

it('reads and writes over TLS through the services’ client factory, the node’s certificate checked', async () => {
  const client = createCassandraClient(
    { ...env, CASSANDRA_TLS: 'true', CASSANDRA_TLS_CA_FILE: cassandraTls().ca },
    { keyspace: null },
  );
  try {
    const keyspace = 'tls_tests';
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(`CREATE TABLE IF NOT EXISTS ${keyspace}.notes (id text PRIMARY KEY, text text)`);
    const id = randomUUID();
    await client.execute(`INSERT INTO ${keyspace}.notes (id, text) VALUES (?, ?)`, [id, 'over TLS']);
    const row = (await client.execute(`SELECT text FROM ${keyspace}.notes WHERE id = ?`, [id])).first();
    expect(row.get('text')).toBe('over TLS');
  } finally {
    await client.shutdown();
  }
});

it('refuses a node whose certificate no trusted CA signed (here: the runtime’s CAs only)', async () => {
  const client = createCassandraClient({ ...env, CASSANDRA_TLS: 'true' }, { keyspace: null });
  try {
    const refused = await client.connect().then(
      () => 'connected',
      (error: unknown) => JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error),
    );
    expect(refused).toMatch(/self[- ]signed certificate/i);
  } finally {
    await client.shutdown();
  }
});
