import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../errors';
import { createCassandraClient, secretAuthProvider, type CassandraCredentials } from './client';

const env = { CASSANDRA_CONTACT_POINTS: ['127.0.0.1:9042'], CASSANDRA_LOCAL_DATA_CENTER: 'dc1' };

/** What the provider answers the server's authentication with (SASL PLAIN: NUL user NUL password). */
const initialToken = async (provider: ReturnType<typeof secretAuthProvider>): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    provider
      .newAuthenticator('127.0.0.1:9042', 'org.apache.cassandra.auth.PasswordAuthenticator')
      .initialResponse((error: Error | null, answer: Buffer) => (error ? reject(error) : resolve(answer))),
  );

describe('Cassandra authentication with credentials read when a connection opens', () => {
  it('answers with the current credentials each time a connection authenticates (a rotation is followed)', async () => {
    let current: CassandraCredentials = { username: 'device_ownership', password: 'first' };
    const provider = secretAuthProvider(async () => current);
    expect(await initialToken(provider)).toEqual(Buffer.from('\0device_ownership\0first'));
    current = { username: 'device_ownership', password: 'rotated' };
    expect(await initialToken(provider)).toEqual(Buffer.from('\0device_ownership\0rotated'));
  });

  it('fails the connection with the reason when the credentials cannot be read', async () => {
    const provider = secretAuthProvider(async () => {
      throw new ConfigurationError('no such secret');
    });
    await expect(initialToken(provider)).rejects.toThrow('no such secret');
  });

  it('is what the client authenticates with when a secret is named, and needs a Secrets Manager client then', () => {
    const named = { ...env, CASSANDRA_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:c' };
    expect(() => createCassandraClient(named)).toThrow(ConfigurationError);
    // The driver accepts the provider (it checks that it is an AuthProvider); nothing connects until a query.
    const secrets = new SecretsManagerClient({ region: 'eu-west-1' });
    const client = createCassandraClient(named, { secrets });
    const { authProvider } = (client as unknown as { options: { authProvider: object } }).options;
    expect(authProvider.constructor.name).toBe('AuthProvider');
    secrets.destroy();
  });
});
