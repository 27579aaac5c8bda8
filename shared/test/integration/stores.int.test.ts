/**
 * Cassandra and PostgreSQL answer through the client factories the services use,
 * configured from the same environment variables.
 */
import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, DeleteSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Client } from 'cassandra-driver';
import { awsClientSettings, awsEnvironmentSchema, createSecretsManagerClient, loadConfig } from '../../src';
import { cassandraEnvironmentSchema, createCassandraClient, credentialsFromSecret } from '../../src/cassandra';
import { createPostgresPool, postgresEnvironmentSchema, type PostgresPool } from '../../src/postgres';

describe('Cassandra through the shared client', () => {
  let admin: Client;
  let client: Client;
  const keyspace = 'integration_tests';

  beforeAll(async () => {
    const env = loadConfig(cassandraEnvironmentSchema);
    admin = createCassandraClient(env, { keyspace: null });
    await admin.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await admin.execute(
      `CREATE TABLE IF NOT EXISTS ${keyspace}.device_owner (device_id text PRIMARY KEY, customer_id text, since timestamp)`,
    );
    client = createCassandraClient(env, { keyspace });
  });

  afterAll(async () => {
    await client?.shutdown();
    await admin?.shutdown();
  });

  it('is a real Cassandra 5', async () => {
    const row = (await client.execute('SELECT release_version FROM system.local')).first();
    expect(String(row.get('release_version'))).toMatch(/^5\.0\./);
  });

  it('writes and reads a partition, and compare-and-sets with a lightweight transaction', async () => {
    const deviceId = `device-${randomUUID()}`;
    const insert = 'INSERT INTO device_owner (device_id, customer_id, since) VALUES (?, ?, ?) IF NOT EXISTS';
    const first = await client.execute(insert, [deviceId, 'customer-a', new Date()]);
    expect(first.wasApplied()).toBe(true);
    const second = await client.execute(insert, [deviceId, 'customer-b', new Date()]);
    expect(second.wasApplied()).toBe(false);

    const transfer = await client.execute(
      'UPDATE device_owner SET customer_id = ? WHERE device_id = ? IF customer_id = ?',
      ['customer-b', deviceId, 'customer-a'],
    );
    expect(transfer.wasApplied()).toBe(true);
    const owner = (
      await client.execute('SELECT customer_id FROM device_owner WHERE device_id = ?', [deviceId])
    ).first();
    expect(owner.get('customer_id')).toBe('customer-b');
  });
});

describe('PostgreSQL through the shared pool', () => {
  let pool: PostgresPool;

  beforeAll(() => {
    pool = createPostgresPool(loadConfig(postgresEnvironmentSchema));
  });

  afterAll(async () => {
    await pool?.end();
  });

  it('answers as the application role in the application database', async () => {
    const { rows } = await pool.query<{ db: string; role: string; version: string }>(
      'SELECT current_database() AS db, current_user AS role, version() AS version',
    );
    expect(rows[0]).toMatchObject({ db: 'backbone', role: 'backbone' });
    expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/);
  });

  it('commits and rolls back transactions', async () => {
    const table = `it_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await pool.query(`CREATE TABLE ${table} (id text PRIMARY KEY, definition jsonb NOT NULL)`);
    try {
      const connection = await pool.connect();
      try {
        await connection.query('BEGIN');
        await connection.query(`INSERT INTO ${table} VALUES ($1, $2)`, ['kept', { score: 0.5 }]);
        await connection.query('COMMIT');
        await connection.query('BEGIN');
        await connection.query(`INSERT INTO ${table} VALUES ($1, $2)`, ['discarded', { score: 1 }]);
        await connection.query('ROLLBACK');
      } finally {
        connection.release();
      }
      const { rows } = await pool.query<{ id: string; definition: { score: number } }>(`SELECT * FROM ${table}`);
      expect(rows).toEqual([{ id: 'kept', definition: { score: 0.5 } }]);
    } finally {
      await pool.query(`DROP TABLE ${table}`);
    }
  });
});

describe('PostgreSQL with the password in Secrets Manager (as in AWS)', () => {
  // The local cluster asks members of this group for their password (scripts/local-cloud/components.ts).
  const role = `it_secret_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const password = randomUUID();
  const env = loadConfig(postgresEnvironmentSchema);
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  let superuser: PostgresPool;
  let secrets: SecretsManagerClient;
  const secretArns: string[] = [];

  const storeSecret = async (value: string): Promise<string> => {
    const { ARN } = await secrets.send(
      new CreateSecretCommand({ Name: `${role}-${secretArns.length}`, SecretString: value }),
    );
    secretArns.push(ARN!);
    return ARN!;
  };

  beforeAll(async () => {
    superuser = createPostgresPool({ ...env, PGUSER: 'postgres' });
    await superuser.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' IN ROLE password_login`);
    secrets = createSecretsManagerClient(aws);
  });

  afterAll(async () => {
    for (const arn of secretArns)
      await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    secrets?.destroy();
    await superuser?.query(`DROP ROLE IF EXISTS ${role}`);
    await superuser?.end();
  });

  it('logs in with the password read from an Aurora-style secret, and is refused with a wrong one', async () => {
    const good = await storeSecret(JSON.stringify({ username: role, password, engine: 'postgres', port: env.PGPORT }));
    const pool = createPostgresPool({ ...env, PGUSER: role, PGPASSWORD_SECRET_ARN: good }, secrets);
    try {
      const { rows } = await pool.query<{ role: string }>('SELECT current_user AS role');
      expect(rows[0]!.role).toBe(role);
    } finally {
      await pool.end();
    }

    const wrong = await storeSecret(JSON.stringify({ username: role, password: 'not-the-password' }));
    const refused = createPostgresPool({ ...env, PGUSER: role, PGPASSWORD_SECRET_ARN: wrong }, secrets);
    try {
      await expect(refused.query('SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await refused.end();
    }
  });

  it('refuses to build a pool that would need the secret without a client to read it', () => {
    expect(() => createPostgresPool({ ...env, PGPASSWORD_SECRET_ARN: 'arn:aws:secretsmanager:x' })).toThrow(
      'PGPASSWORD_SECRET_ARN is set',
    );
  });
});

describe('Cassandra credentials in Secrets Manager (as in AWS)', () => {
  const aws = awsClientSettings(loadConfig(awsEnvironmentSchema));
  let secrets: SecretsManagerClient;
  const secretArns: string[] = [];
  const storeSecret = async (value: string): Promise<string> => {
    const { ARN } = await secrets.send(
      new CreateSecretCommand({ Name: `it-cassandra-${randomUUID()}`, SecretString: value }),
    );
    secretArns.push(ARN!);
    return ARN!;
  };

  beforeAll(() => {
    secrets = createSecretsManagerClient(aws);
  });

  afterAll(async () => {
    for (const arn of secretArns)
      await secrets.send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }));
    secrets?.destroy();
  });

  // The local node admits anyone (it never asks a client to authenticate), so what is proven here is the reading:
  // the unit tests hold the authenticator's answer to what the credentials say.
  it('reads the username and password from the secret, and refuses a secret without them', async () => {
    const good = await storeSecret(JSON.stringify({ username: 'device_ownership', password: 'p4ss' }));
    expect(await credentialsFromSecret(secrets, good)()).toEqual({ username: 'device_ownership', password: 'p4ss' });
    const partial = await storeSecret(JSON.stringify({ password: 'p4ss' }));
    await expect(credentialsFromSecret(secrets, partial)()).rejects.toThrow(
      'must be JSON with a "username" and a "password" string',
    );
  });
});
