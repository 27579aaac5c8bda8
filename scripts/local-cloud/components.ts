import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import {
  createDynamoDbClient,
  createS3Client,
  createSqsClient,
  type AwsClientSettings,
} from '../../shared/src/aws/clients';
import { createCassandraClient } from '../../shared/src/cassandra';
import { createPostgresPool } from '../../shared/src/postgres';
import { CLOUD_DIR, HOST, PORTS, REPO_ROOT, SCRIPTS_DIR } from './layout';
import type { LaunchSpec } from './processes';
import { ensureJava, ensureMaven, ensurePythonVenv, postgresBinDir } from './prerequisites';

export interface Component {
  name: string;
  port: number;
  what: string;
  /** Idempotent; downloads into CLOUD_DIR on first use only. */
  install(): Promise<void>;
  /** Installs through Maven, whose local repository does not take concurrent writers. */
  installsWithMaven?: boolean;
  /** Writes configuration and initialises data directories before each start. */
  prepare?(): Promise<void>;
  launch(): LaunchSpec;
  /** Resolves when the component answers a real request; rejects otherwise. */
  probe(): Promise<void>;
  /** One-off set-up once ready (roles, databases). Idempotent. */
  afterReady?(): Promise<void>;
  startTimeoutMs: number;
}

export class InstallError extends Error {
  override name = 'InstallError';
}

const componentDir = (name: string): string => path.join(CLOUD_DIR, name);
/**
 * An install is complete when its stamp file holds the hash of the input it was made from
 * (a pom, a requirements file, a source file); a changed input or a missing stamp reinstalls.
 */
function installStamp(stampFile: string, inputFile: string): { current: boolean; write(): void } {
  const wanted = createHash('sha256').update(readFileSync(inputFile)).digest('hex').slice(0, 16);
  return {
    current: existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted,
    write: () => writeFileSync(stampFile, wanted),
  };
}

/**
 * Resolves a Maven dependency tree into <component>/lib. Downloads go to a
 * temporary folder that is renamed into place only once complete, so a failed
 * download never leaves a half-installed component behind.
 */
/** Runs a command without blocking the event loop, so installs from different registries overlap. */
function runCommand(command: string, args: string[]): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ status: null, output: `${output}${error.message}` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

async function installMavenRuntime(name: string, label: string): Promise<void> {
  const pom = path.join(SCRIPTS_DIR, 'maven', name, 'pom.xml');
  const lib = path.join(componentDir(name), 'lib');
  if (installStamp(path.join(lib, '.installed'), pom).current) return;
  ensureJava();
  ensureMaven();
  console.log(`  installing ${label} from Maven Central (first run only) ...`);
  const partial = `${lib}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(path.dirname(lib), { recursive: true });
  const result = await runCommand('mvn', [
    '-q',
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${partial}`,
    '-DincludeScope=runtime',
  ]);
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    const output = result.output
      .split('\n')
      .filter((l) => l.includes('ERROR'))
      .slice(0, 5)
      .join('\n');
    throw new InstallError(
      `downloading ${label} failed (mvn exit ${result.status}); nothing was installed.\n${output}\n` +
        `Check that Maven Central is reachable, then run "npm run cloud:up" again.`,
    );
  }
  installStamp(path.join(partial, '.installed'), pom).write();
  rmSync(lib, { recursive: true, force: true });
  renameSync(partial, lib);
}

function localAws(endpoint: string): AwsClientSettings {
  return { region: 'eu-west-1', endpoints: { sqs: endpoint, dynamodb: endpoint, s3: endpoint } };
}

/** Probes build a client per call; destroying it closes its keep-alive sockets. */
async function withClient<C extends { destroy(): void }, T>(client: C, use: (client: C) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

// The emulators accept any credentials; the SDK still needs some to sign requests.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

const JVM17_MODULE_OPTIONS = [
  '-Djdk.attach.allowAttachSelf=true',
  ...[
    'java.base/jdk.internal.misc',
    'java.management.rmi/com.sun.jmx.remote.internal.rmi',
    'java.rmi/sun.rmi.registry',
    'java.rmi/sun.rmi.server',
    'java.sql/java.sql',
    'java.base/java.lang.ref',
    'jdk.unsupported/sun.misc',
    'jdk.compiler/com.sun.tools.javac.file',
    'jdk.attach/sun.tools.attach',
  ].flatMap((target) => ['--add-exports', `${target}=ALL-UNNAMED`]),
  ...[
    'java.base/java.lang.module',
    'java.base/jdk.internal.loader',
    'java.base/jdk.internal.ref',
    'java.base/jdk.internal.reflect',
    'java.base/jdk.internal.math',
    'java.base/jdk.internal.module',
    'java.base/jdk.internal.util.jar',
    'jdk.management/com.sun.management.internal',
    'java.base/sun.nio.ch',
    'java.base/java.io',
    'java.base/java.lang.reflect',
    'jdk.compiler/com.sun.tools.javac',
    'java.base/java.lang',
    'java.base/java.util',
  ].flatMap((target) => ['--add-opens', `${target}=ALL-UNNAMED`]),
];

const cassandra: Component = {
  name: 'cassandra',
  port: PORTS.cassandra,
  installsWithMaven: true,
  what: 'Apache Cassandra 5.0.6 (single node)',
  startTimeoutMs: 240_000,
  async install() {
    await installMavenRuntime('cassandra', 'Apache Cassandra 5.0.6 (about 70 MB)');
  },
  async prepare() {
    const dir = componentDir('cassandra');
    const data = path.join(dir, 'data');
    mkdirSync(path.join(dir, 'conf'), { recursive: true });
    const yaml = [
      'cluster_name: local-cloud',
      'num_tokens: 1',
      'allocate_tokens_for_local_replication_factor: 1',
      'partitioner: org.apache.cassandra.dht.Murmur3Partitioner',
      'authenticator: AllowAllAuthenticator',
      'authorizer: AllowAllAuthorizer',
      `data_file_directories: [${data}/data]`,
      `commitlog_directory: ${data}/commitlog`,
      `saved_caches_directory: ${data}/saved_caches`,
      `hints_directory: ${data}/hints`,
      `cdc_raw_directory: ${data}/cdc_raw`,
      'commitlog_sync: periodic',
      'commitlog_sync_period: 10000ms',
      'seed_provider:',
      '  - class_name: org.apache.cassandra.locator.SimpleSeedProvider',
      '    parameters:',
      `      - seeds: "${HOST}:${PORTS.cassandraStorage}"`,
      `listen_address: ${HOST}`,
      `rpc_address: ${HOST}`,
      `storage_port: ${PORTS.cassandraStorage}`,
      `native_transport_port: ${PORTS.cassandra}`,
      'start_native_transport: true',
      'endpoint_snitch: SimpleSnitch',
      'hinted_handoff_enabled: false',
      'auto_snapshot: false',
      'snapshot_before_compaction: false',
      'concurrent_reads: 8',
      'concurrent_writes: 8',
      'concurrent_counter_writes: 8',
      // Lightweight transactions (device transfers) use Paxos v2 in 5.0.
      'paxos_variant: v2',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'conf', 'cassandra.yaml'), yaml);
    writeFileSync(
      path.join(dir, 'conf', 'logback.xml'),
      readFileSync(path.join(SCRIPTS_DIR, 'conf', 'cassandra-logback.xml'), 'utf8'),
    );
  },
  launch() {
    const dir = componentDir('cassandra');
    const heap = process.env.LOCAL_CLOUD_CASSANDRA_HEAP ?? '768m';
    return {
      command: 'java',
      cwd: dir,
      args: [
        '-Xms256m',
        `-Xmx${heap}`,
        '-Xmn128m',
        '-Xss256k',
        '-XX:+UseG1GC',
        '-XX:+ParallelRefProcEnabled',
        '-XX:MaxTenuringThreshold=1',
        '-XX:G1HeapRegionSize=16m',
        ...JVM17_MODULE_OPTIONS,
        '-Dio.netty.tryReflectionSetAccessible=true',
        '-Dio.netty.allocator.useCacheForAllThreads=true',
        '-Dio.netty.allocator.maxOrder=11',
        `-javaagent:${path.join(dir, 'lib', 'jamm-0.4.0.jar')}`,
        `-Dcassandra.config=file://${path.join(dir, 'conf', 'cassandra.yaml')}`,
        `-Dlogback.configurationFile=file://${path.join(dir, 'conf', 'logback.xml')}`,
        `-Dcassandra.storagedir=${path.join(dir, 'data')}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        `-Dcassandra.jmx.local.port=${PORTS.cassandraJmx}`,
        '-Dcassandra-foreground=yes',
        '-cp',
        `${path.join(dir, 'conf')}:${path.join(dir, 'lib', '*')}`,
        'org.apache.cassandra.service.CassandraDaemon',
      ],
    };
  },
  async probe() {
    const client = createCassandraClient(
      { CASSANDRA_CONTACT_POINTS: [`${HOST}:${PORTS.cassandra}`], CASSANDRA_LOCAL_DATA_CENTER: 'datacenter1' },
      { keyspace: null },
    );
    try {
      await client.execute('SELECT release_version FROM system.local');
    } finally {
      await client.shutdown();
    }
  },
};

/** PostgreSQL refuses to run as root; as root we run it as the Debian "postgres" user. */
function postgresUser(): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('id', ['-u', 'postgres'], { stdio: 'ignore' }).status === 0) return 'postgres';
  if (spawnSync('id', ['-u', 'localcloud'], { stdio: 'ignore' }).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', 'localcloud']);
  }
  return 'localcloud';
}

function chownTree(target: string, user: string | undefined): void {
  if (!user) return;
  execFileSync('chown', ['-R', `${user}:`, target]);
}

export const POSTGRES_ROLE = 'backbone';
export const POSTGRES_DATABASE = 'backbone';

/**
 * Members of this group must log in with their password (SCRAM), as in Aurora; everyone else is
 * trusted on loopback. Tests that read a password from Secrets Manager log in as such a member.
 */
export const PASSWORD_LOGIN_GROUP = 'password_login';

async function requirePasswordsFor(pool: ReturnType<typeof createPostgresPool>, group: string): Promise<void> {
  const exists = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group]);
  if (exists.rowCount === 0) await pool.query(`CREATE ROLE ${group} NOLOGIN`);
  const { rows } = await pool.query<{ hba_file: string }>('SHOW hba_file');
  const hbaFile = rows[0]!.hba_file;
  const rule = `host all +${group} ${HOST}/32 scram-sha-256`;
  const current = readFileSync(hbaFile, 'utf8');
  if (current.split('\n').includes(rule)) return;
  // The first matching line wins: this one goes before initdb's "trust" lines.
  writeFileSync(hbaFile, `# local cloud: ${group} members use passwords\n${rule}\n${current}`);
  await pool.query('SELECT pg_reload_conf()');
}

const postgres: Component = {
  name: 'postgres',
  port: PORTS.postgres,
  what: 'PostgreSQL (private cluster, stand-in for Aurora PostgreSQL)',
  startTimeoutMs: 60_000,
  async install() {
    postgresBinDir();
  },
  async prepare() {
    const dir = componentDir('postgres');
    const data = path.join(dir, 'data');
    const sockets = path.join(dir, 'sockets');
    const user = postgresUser();
    mkdirSync(sockets, { recursive: true });
    chownTree(sockets, user);
    if (existsSync(path.join(data, 'PG_VERSION'))) return;
    console.log('  initialising the PostgreSQL cluster (first run only) ...');
    const partial = `${data}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    chownTree(dir, user);
    const initdb = path.join(postgresBinDir(), 'initdb');
    const args = ['-D', partial, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale'];
    const result = user
      ? spawnSync('runuser', ['-u', user, '--', initdb, ...args], { encoding: 'utf8' })
      : spawnSync(initdb, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new InstallError(`initdb failed:\n${result.stderr}`);
    }
    renameSync(partial, data);
  },
  launch() {
    const dir = componentDir('postgres');
    return {
      command: path.join(postgresBinDir(), 'postgres'),
      user: postgresUser(),
      args: [
        '-D',
        path.join(dir, 'data'),
        '-p',
        String(PORTS.postgres),
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        `unix_socket_directories=${path.join(dir, 'sockets')}`,
        // Local data is disposable: trade durability for speed.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
    };
  },
  async probe() {
    const pool = createPostgresPool({
      PGHOST: HOST,
      PGPORT: PORTS.postgres,
      PGDATABASE: 'postgres',
      PGUSER: 'postgres',
      PGSSLMODE: 'disable',
      PG_POOL_MAX: 1,
    });
    try {
      await pool.query('SELECT 1');
    } finally {
      await pool.end();
    }
  },
  async afterReady() {
    const pool = createPostgresPool({
      PGHOST: HOST,
      PGPORT: PORTS.postgres,
      PGDATABASE: 'postgres',
      PGUSER: 'postgres',
      PGSSLMODE: 'disable',
      PG_POOL_MAX: 1,
    });
    try {
      const role = await pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [POSTGRES_ROLE]);
      if (role.rowCount === 0) await pool.query(`CREATE ROLE ${POSTGRES_ROLE} LOGIN`);
      const db = await pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [POSTGRES_DATABASE]);
      if (db.rowCount === 0) await pool.query(`CREATE DATABASE ${POSTGRES_DATABASE} OWNER ${POSTGRES_ROLE}`);
      await requirePasswordsFor(pool, PASSWORD_LOGIN_GROUP);
    } finally {
      await pool.end();
    }
  },
};

const elasticmq: Component = {
  name: 'elasticmq',
  port: PORTS.elasticmq,
  installsWithMaven: true,
  what: 'ElasticMQ 1.7.1 (SQS: standard, FIFO, redrive)',
  startTimeoutMs: 60_000,
  async install() {
    await installMavenRuntime('elasticmq', 'ElasticMQ 1.7.1 (about 40 MB)');
  },
  async prepare() {
    const dir = componentDir('elasticmq');
    // Queue URLs name the gateway, so every SQS call (the SDK uses the queue URL as its endpoint) goes through it.
    writeFileSync(
      path.join(dir, 'elasticmq.conf'),
      [
        'include classpath("application.conf")',
        `node-address { protocol = http, host = "${HOST}", port = ${PORTS.gateway}, context-path = "" }`,
        `rest-sqs { enabled = true, bind-port = ${PORTS.elasticmq}, bind-hostname = "${HOST}", sqs-limits = strict }`,
        'rest-stats { enabled = false }',
        'aws { region = eu-west-1, accountId = "000000000000" }',
        '',
      ].join('\n'),
    );
  },
  launch() {
    const dir = componentDir('elasticmq');
    return {
      command: 'java',
      cwd: dir,
      args: [
        '-Xms64m',
        '-Xmx384m',
        `-Dconfig.file=${path.join(dir, 'elasticmq.conf')}`,
        '-cp',
        path.join(dir, 'lib', '*'),
        'org.elasticmq.server.Main',
      ],
    };
  },
  async probe() {
    await withClient(createSqsClient(localAws(`http://${HOST}:${PORTS.elasticmq}`)), (sqs) =>
      sqs.send(new ListQueuesCommand({})),
    );
  },
};

const dynamodb: Component = {
  name: 'dynamodb',
  port: PORTS.dynamodb,
  installsWithMaven: true,
  what: 'DynamoDB Local 2.6.1 (in memory)',
  startTimeoutMs: 60_000,
  async install() {
    await installMavenRuntime('dynamodb', 'DynamoDB Local 2.6.1 (about 50 MB)');
    const dir = componentDir('dynamodb');
    const source = path.join(SCRIPTS_DIR, 'java', 'LoopbackDynamoDBLocal.java');
    const classes = path.join(dir, 'launcher');
    if (installStamp(path.join(classes, '.installed'), source).current) return;
    rmSync(classes, { recursive: true, force: true });
    mkdirSync(classes, { recursive: true });
    execFileSync('javac', ['-cp', path.join(dir, 'lib', '*'), '-d', classes, source], { stdio: 'inherit' });
    installStamp(path.join(classes, '.installed'), source).write();
  },
  launch() {
    const dir = componentDir('dynamodb');
    return {
      command: 'java',
      cwd: dir,
      args: [
        '-Xms64m',
        '-Xmx512m',
        `-Djava.library.path=${path.join(dir, 'lib')}`,
        '-cp',
        `${path.join(dir, 'launcher')}:${path.join(dir, 'lib', '*')}`,
        'LoopbackDynamoDBLocal',
        HOST,
        String(PORTS.dynamodb),
        '-inMemory',
      ],
    };
  },
  async probe() {
    await withClient(createDynamoDbClient(localAws(`http://${HOST}:${PORTS.dynamodb}`)), (dynamodb) =>
      dynamodb.send(new ListTablesCommand({})),
    );
  },
};

const s3: Component = {
  name: 's3',
  port: PORTS.s3,
  what: 'moto 5.2.5 (S3, Secrets Manager, SSM)',
  startTimeoutMs: 30_000,
  async install() {
    const dir = componentDir('s3');
    const venv = path.join(dir, 'venv');
    const requirements = path.join(SCRIPTS_DIR, 'conf', 'requirements-moto.txt');
    const stamp = installStamp(path.join(venv, '.installed'), requirements);
    if (stamp.current) return;
    ensurePythonVenv();
    console.log('  installing moto into a virtualenv from PyPI (first run only) ...');
    // A virtualenv cannot be moved, so it is built in place and only the stamp marks it complete.
    rmSync(venv, { recursive: true, force: true });
    const steps: [string, string[]][] = [
      ['python3', ['-m', 'venv', venv]],
      [path.join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', '-r', requirements]],
    ];
    for (const [command, args] of steps) {
      const result = await runCommand(command, args);
      if (result.status !== 0) {
        rmSync(venv, { recursive: true, force: true });
        throw new InstallError(
          `installing moto failed (${path.basename(command)} exit ${result.status}); nothing was installed.\n` +
            `${result.output.split('\n').slice(-6).join('\n')}\nCheck that PyPI is reachable, then run "npm run cloud:up" again.`,
        );
      }
    }
    stamp.write();
  },
  launch() {
    const dir = componentDir('s3');
    return { command: path.join(dir, 'venv', 'bin', 'moto_server'), args: ['-H', HOST, '-p', String(PORTS.s3)] };
  },
  async probe() {
    await withClient(createS3Client(localAws(`http://${HOST}:${PORTS.s3}`)), (s3) =>
      s3.send(new ListBucketsCommand({})),
    );
  },
};

const gateway: Component = {
  name: 'gateway',
  port: PORTS.gateway,
  what: 'AWS API gateway: one endpoint for SQS, DynamoDB, S3, Secrets Manager, SSM',
  startTimeoutMs: 20_000,
  async install() {},
  launch() {
    return {
      command: process.execPath,
      cwd: REPO_ROOT,
      args: ['--import', 'tsx', path.join(SCRIPTS_DIR, 'gateway.ts')],
    };
  },
  async probe() {
    const aws = localAws(`http://${HOST}:${PORTS.gateway}`);
    await Promise.all([
      withClient(createSqsClient(aws), (sqs) => sqs.send(new ListQueuesCommand({}))),
      withClient(createDynamoDbClient(aws), (dynamodb) => dynamodb.send(new ListTablesCommand({}))),
      withClient(createS3Client(aws), (s3) => s3.send(new ListBucketsCommand({}))),
    ]);
  },
};

/** In start order: the gateway fronts the three AWS emulators, so it comes after them. */
export const COMPONENTS: readonly Component[] = [cassandra, postgres, elasticmq, dynamodb, s3, gateway];

export function findComponent(name: string): Component {
  const component = COMPONENTS.find((c) => c.name === name);
  if (!component) {
    throw new Error(`unknown component "${name}"; components: ${COMPONENTS.map((c) => c.name).join(', ')}`);
  }
  return component;
}
