import { HOST, PORTS } from './layout';
import { POSTGRES_DATABASE, POSTGRES_ROLE } from './components/postgres';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_REGION = 'eu-west-1';
export const LOCAL_STAGE = 'local';

/**
 * The environment services, scripts and integration tests use against the local
 * cloud: the same variables the services read in AWS, with local values.
 */
export function localEnvironment() {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL: `http://${HOST}:${PORTS.gateway}`,
    // The emulators accept any credentials; the SDK needs some to sign requests.
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CASSANDRA_CONTACT_POINTS: `${HOST}:${PORTS.cassandra}`,
    CASSANDRA_LOCAL_DATA_CENTER: 'datacenter1',
    // One node: one replica. Production keyspaces use NetworkTopologyStrategy (see README, device-ownership).
    CASSANDRA_REPLICATION: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
    PGHOST: HOST,
    PGPORT: String(PORTS.postgres),
    PGDATABASE: POSTGRES_DATABASE,
    PGUSER: POSTGRES_ROLE,
    PGSSLMODE: 'disable',
    // The SQL relay in front of PostgreSQL (PgBouncer here, RDS Proxy in AWS): the rules engine connects through it.
    PG_PROXY_PORT: String(PORTS.pgbouncer),
  };
}

/** Sets the local environment in this process, leaving anything already set alone. */
export function applyLocalEnvironment(): void {
  for (const [key, value] of Object.entries(localEnvironment())) process.env[key] ??= value;
}
