import { execFile } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { createCassandraClient } from '@backbone/shared/cassandra';
import { HOST, PORTS, SCRIPTS_DIR } from '../layout';
import type { Component } from './component';
import { componentDir, installMavenRuntime } from './install';

/** The --add-exports/--add-opens list of Cassandra's jvm17-server.options: it runs from jars, without its scripts. */
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

/**
 * The local node's TLS identity: a self-signed certificate for 127.0.0.1 (keytool, from the JDK Cassandra needs
 * anyway) in a PKCS12 keystore for the node, and as PEM for clients to trust (what a test connecting over TLS gives
 * the client factory as CASSANDRA_TLS_CA_FILE).
 */
export const cassandraTls = () => {
  const dir = path.join(componentDir('cassandra'), 'tls');
  return { dir, keystore: path.join(dir, 'node.p12'), ca: path.join(dir, 'node.pem'), password: 'local-cloud' };
};

function ensureTlsIdentity(): void {
  const tls = cassandraTls();
  if (existsSync(tls.keystore) && existsSync(tls.ca)) return;
  mkdirSync(tls.dir, { recursive: true });
  const keytool = (args: string[]) => {
    const result = spawnSync('keytool', args, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`keytool ${args[0]} failed: ${result.stderr || result.stdout}`);
  };
  const store = ['-keystore', tls.keystore, '-storetype', 'PKCS12', '-storepass', tls.password];
  keytool([
    '-genkeypair',
    '-alias',
    'node',
    '-keyalg',
    'EC',
    '-groupname',
    'secp256r1',
    '-dname',
    'CN=127.0.0.1, O=local cloud',
    '-ext',
    'SAN=ip:127.0.0.1,dns:localhost',
    '-validity',
    '3650',
    ...store,
  ]);
  keytool(['-exportcert', '-rfc', '-alias', 'node', '-file', tls.ca, ...store]);
}

export const cassandra: Component = {
  name: 'cassandra',
  port: PORTS.cassandra,
  installsWithMaven: true,
  what: 'Apache Cassandra 5.0.6 (single node)',
  startTimeoutMs: 240_000,
  async install() {
    await installMavenRuntime('cassandra', 'Apache Cassandra 5.0.6 (about 70 MB)');
  },
  dataDirs: () => [path.join(componentDir('cassandra'), 'data')],
  async prepare() {
    const dir = componentDir('cassandra');
    const data = path.join(dir, 'data');
    mkdirSync(path.join(dir, 'conf'), { recursive: true });
    ensureTlsIdentity();
    const tls = cassandraTls();
    const yaml = [
      'cluster_name: local-cloud',
      // One node, one token, given: with a token allocator instead (allocate_tokens_for_local_replication_factor),
      // a new node first waits the ring delay (30 s) to see peers a single node never has.
      'num_tokens: 1',
      'initial_token: 0',
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
      // Clients may connect over TLS (as every AWS stage's do) or in plain (the local stage's): one port, both, so
      // that a test proves the client factory's TLS against a real node without a second one.
      'client_encryption_options:',
      '  enabled: true',
      '  optional: true',
      `  keystore: ${tls.keystore}`,
      `  keystore_password: ${tls.password}`,
      '  store_type: PKCS12',
      '  require_client_auth: false',
      'endpoint_snitch: SimpleSnitch',
      'hinted_handoff_enabled: false',
      'auto_snapshot: false',
      'snapshot_before_compaction: false',
      'concurrent_reads: 8',
      'concurrent_writes: 8',
      'concurrent_counter_writes: 8',
      // Lightweight transactions (device transfers) use Paxos v2 in 5.0.
      'paxos_variant: v2',
      // Trie-indexed SSTables (5.0's newer format, as its cassandra_latest.yaml chooses): a partition is found
      // through a trie rather than a sampled index, so a lookup costs about the same however many partitions a
      // table holds.
      'sstable:',
      '  selected_format: bti',
      // A single 5.0 node with no older peer: nothing to stay compatible with (the default, CASSANDRA_4, refuses bti).
      'storage_compatibility_mode: NONE',
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

/**
 * Runs nodetool (from the same jars) against the local node over JMX, e.g. `nodetool(['flush', 'ks'])`: for
 * benchmarks that must compare reads from the same storage state. Returns its output.
 */
export async function nodetool(args: readonly string[]): Promise<string> {
  const dir = componentDir('cassandra');
  const { stdout } = await promisify(execFile)(
    'java',
    [
      ...JVM17_MODULE_OPTIONS,
      // It keeps a command history under the home folder and logs at debug level by default: neither is wanted.
      `-Duser.home=${path.join(dir, 'data')}`,
      `-Dlogback.configurationFile=file://${path.join(dir, 'conf', 'logback.xml')}`,
      '-cp',
      `${path.join(dir, 'conf')}:${path.join(dir, 'lib', '*')}`,
      'org.apache.cassandra.tools.NodeTool',
      '-h',
      HOST,
      '-p',
      String(PORTS.cassandraJmx),
      ...args,
    ],
    { encoding: 'utf8' },
  );
  return stdout;
}
