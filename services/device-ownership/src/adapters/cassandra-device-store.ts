/**
 * The device stores on Cassandra (the tables of migrations/001_device_tables.cql). Every statement is prepared; plain
 * writes carry the event's time as their write timestamp; owner columns change only through lightweight
 * transactions. Writes to one device's row in one call go as one single-partition batch (one mutation).
 */
import { type Client, types } from 'cassandra-driver';
import {
  deviceFlagsFrom,
  encodeFlag,
  factKey,
  freeDevice,
  factValue,
  CLEARED,
  standingsFromFacts,
  type CustomerFact,
  type DeviceRecord,
  type FraudFlag,
} from '../domain/device-record';
import type { DeviceEventStore } from '../domain/ingest';
import type { DeviceDecisionStore } from '../domain/signup-check';

const DAY_S = 86_400;
/** How long a cleared flag's marker is kept: longer than any flag lives, so a late raise cannot revive it. */
const CLEARED_FLAG_TTL_S = 400 * DAY_S;
/** Cassandra's largest TTL (20 years). */
const MAX_TTL_S = 630_720_000;

/** Write timestamps are microseconds; the event's millisecond time, scaled. */
const timestampOf = (at: Date): types.Long => types.Long.fromNumber(at.getTime() * 1000);

/** Seconds left until `until`, counted from `now` (0 or less: already past), at most Cassandra's largest TTL. */
export const secondsUntil = (until: Date, now: Date): number =>
  Math.min(MAX_TTL_S, Math.floor((until.getTime() - now.getTime()) / 1000));

const DEVICE = 'current_owner_by_device';

const CQL = {
  read:
    `SELECT owner_id, owner_since, platform, last_reset_at, reset_proof_flag_set, reset_proof_flag_written_at, ` +
    `last_seen, accounts_in_window, customer_facts, device_flags FROM ${DEVICE} WHERE device_id = ?`,
  install: `UPDATE ${DEVICE} USING TIMESTAMP ? SET platform = ?, install_id = ? WHERE device_id = ?`,
  resetProofFlag: `UPDATE ${DEVICE} USING TIMESTAMP ? SET reset_proof_flag_set = ?, reset_proof_flag_written_at = ? WHERE device_id = ?`,
  reset: `UPDATE ${DEVICE} USING TIMESTAMP ? SET last_reset_at = ? WHERE device_id = ?`,
  resetInstall: `UPDATE ${DEVICE} USING TIMESTAMP ? SET last_reset_at = ?, install_id = ? WHERE device_id = ?`,
  inWindow: `UPDATE ${DEVICE} USING TTL ? AND TIMESTAMP ? SET accounts_in_window[?] = ? WHERE device_id = ?`,
  lastSeen: `UPDATE ${DEVICE} USING TTL ? AND TIMESTAMP ? SET last_seen[?] = ? WHERE device_id = ?`,
  customerDevice: `UPDATE devices_by_customer USING TIMESTAMP ? SET last_seen = ? WHERE customer_id = ? AND device_id = ?`,
  devicesOf: `SELECT device_id FROM devices_by_customer WHERE customer_id = ?`,
  fact: `UPDATE customer_facts USING TTL ? AND TIMESTAMP ? SET value = ? WHERE customer_id = ? AND fact = ?`,
  factsOf: `SELECT fact, value, WRITETIME(value) AS written, TTL(value) AS ttl FROM customer_facts WHERE customer_id = ?`,
  deviceFact: `UPDATE ${DEVICE} USING TTL ? AND TIMESTAMP ? SET customer_facts[?] = ? WHERE device_id = ?`,
  deviceFlag: `UPDATE ${DEVICE} USING TTL ? AND TIMESTAMP ? SET device_flags[?] = ? WHERE device_id = ?`,
  ownerOf: `SELECT owner_id FROM ${DEVICE} WHERE device_id = ?`,
  claimFree: `UPDATE ${DEVICE} SET owner_id = ?, owner_since = ? WHERE device_id = ? IF owner_id = null`,
  claimFrom: `UPDATE ${DEVICE} SET owner_id = ?, owner_since = ? WHERE device_id = ? IF owner_id = ?`,
  history:
    'INSERT INTO ownership_history_by_device (device_id, since, owner_id, previous_owner_id, via) VALUES (?, ?, ?, ?, ?)',
  backfill:
    'INSERT INTO ownership_history_by_device (device_id, since, owner_id, previous_owner_id, via) VALUES (?, ?, ?, ?, ?) ' +
    'USING TIMESTAMP ?',
  historyOf: 'SELECT since, owner_id, previous_owner_id, via FROM ownership_history_by_device WHERE device_id = ?',
  devicesOfCustomer: 'SELECT device_id, last_seen FROM devices_by_customer WHERE customer_id = ?',
} as const;

type Statement = { query: string; params: unknown[] };

/** How long a fact lives, in seconds (0: for ever): flags until they expire, a cleared flag's marker a while. */
function factTtl(fact: CustomerFact, now: Date): number {
  if (fact.kind === 'flag') return secondsUntil(fact.flag.expiresAt, now);
  if (fact.kind === 'flag-cleared') return CLEARED_FLAG_TTL_S;
  return 0;
}

/** A CQL map column as the driver returns it (a plain object, or null when empty) as a Map. */
const toMap = <T>(value: unknown): Map<string, T> =>
  new Map<string, T>(value && typeof value === 'object' ? Object.entries(value as Record<string, T>) : []);

export interface OwnershipChange {
  since: Date;
  ownerId: string;
  previousOwnerId?: string;
  via: string;
}

export interface DeviceStoreOptions {
  /**
   * How long a customer's last activity on a device is kept (days): longer than any cool-down, so an owner whose entry
   * has lapsed is inactive by any rule; bounded, so a phone many customers touched keeps a small row.
   */
  lastSeenDays?: number;
  /** Told how many rows each write touched (the benchmark's rows per event). */
  onRowsWritten?: (rows: number) => void;
  /** The store's now, which TTLs count from (tests move it; Cassandra's own clock still expires the entries). */
  clock?: () => Date;
}

export const DEFAULT_LAST_SEEN_DAYS = 400;

export function createCassandraDeviceStore(client: Client, storeOptions: DeviceStoreOptions = {}) {
  const lastSeenTtl = (storeOptions.lastSeenDays ?? DEFAULT_LAST_SEEN_DAYS) * DAY_S;
  const rows = storeOptions.onRowsWritten ?? (() => undefined);
  const clock = storeOptions.clock ?? (() => new Date());
  const options = { prepare: true } as const;
  const lwt = { prepare: true, serialConsistency: types.consistencies.localSerial } as const;

  /** One device row's writes as one mutation (a single-partition batch), or the one statement alone. */
  const writeDevice = async (statements: Statement[]): Promise<void> => {
    if (statements.length === 0) return;
    rows(1);
    if (statements.length === 1) await client.execute(statements[0]!.query, statements[0]!.params, options);
    else await client.batch(statements, { ...options, logged: false });
  };

  /** Copies what is known of a customer onto a device's row, each fact with its own write time. */
  const execute = async (query: string, params: unknown[]) => {
    rows(1);
    await client.execute(query, params, options);
  };

  const copyFacts = async (deviceId: string, customerId: string): Promise<void> => {
    const facts = await client.execute(CQL.factsOf, [customerId], options);
    await writeDevice(
      facts.rows.map((row) => ({
        query: CQL.deviceFact,
        params: [row['ttl'] ?? 0, row['written'], `${customerId}/${String(row['fact'])}`, row['value'], deviceId],
      })),
    );
  };

  /**
   * After a claim or a transfer: the history, the customer's devices, and what is known of the customer. The device
   * joins the customer's devices before their facts are read, as recordCustomerFact writes a fact before reading the
   * devices: of a claim and a fact that race, at least one sees the other, so no fact misses the device.
   */
  const afterOwnerChange = async (
    deviceId: string,
    customerId: string,
    previous: string | undefined,
    at: Date,
    via: string,
  ) => {
    await Promise.all([
      execute(CQL.history, [deviceId, at, customerId, previous ?? null, via]),
      writeDevice([{ query: CQL.lastSeen, params: [lastSeenTtl, timestampOf(at), customerId, at, deviceId] }]),
      (async () => {
        await execute(CQL.customerDevice, [timestampOf(at), at, customerId, deviceId]);
        await copyFacts(deviceId, customerId);
      })(),
    ]);
  };

  const claim = async (deviceId: string, customerId: string, expectedOwner: string | undefined, at: Date) => {
    const result =
      expectedOwner === undefined
        ? await client.execute(CQL.claimFree, [customerId, at, deviceId], lwt)
        : await client.execute(CQL.claimFrom, [customerId, at, deviceId, expectedOwner], lwt);
    if (!result.wasApplied()) return false;
    rows(1);
    await afterOwnerChange(deviceId, customerId, expectedOwner, at, expectedOwner === undefined ? 'claim' : 'transfer');
    return true;
  };

  const decisions: DeviceDecisionStore = {
    async read(deviceId) {
      const row = (await client.execute(CQL.read, [deviceId], options)).first();
      const record: DeviceRecord = freeDevice(deviceId);
      if (!row) return record;
      const owner = row['owner_id'] as string | null;
      const resetProofAt = row['reset_proof_flag_written_at'] as Date | null;
      return {
        ...record,
        ...(owner ? { owner: { customerId: owner, since: row['owner_since'] as Date } } : {}),
        ...(row['platform'] ? { platform: row['platform'] as 'android' | 'ios' } : {}),
        ...(row['last_reset_at'] ? { lastResetAt: row['last_reset_at'] as Date } : {}),
        ...(resetProofAt
          ? { resetProofFlag: { set: row['reset_proof_flag_set'] === true, writtenAt: resetProofAt } }
          : {}),
        lastSeen: toMap<Date>(row['last_seen']),
        accountsInWindow: toMap<Date>(row['accounts_in_window']),
        standings: standingsFromFacts(toMap<string>(row['customer_facts'])),
        deviceFlags: deviceFlagsFrom(toMap<string>(row['device_flags'])),
      };
    },
    claim,
  };

  const events: DeviceEventStore = {
    async recordInstall(deviceId, install, at) {
      const ts = timestampOf(at);
      const statements: Statement[] = [
        { query: CQL.install, params: [ts, install.platform, install.installId, deviceId] },
      ];
      if (install.resetProofFlag)
        statements.push({
          query: CQL.resetProofFlag,
          params: [ts, install.resetProofFlag.set, install.resetProofFlag.writtenAt, deviceId],
        });
      await writeDevice(statements);
    },
    async recordSeen(deviceId, customerId, at, { activity, windowDays }) {
      const ts = timestampOf(at);
      const statements: Statement[] = [];
      const windowLeft = secondsUntil(new Date(at.getTime() + windowDays * DAY_S * 1000), clock());
      if (windowLeft > 0) statements.push({ query: CQL.inWindow, params: [windowLeft, ts, customerId, at, deviceId] });
      if (activity) statements.push({ query: CQL.lastSeen, params: [lastSeenTtl, ts, customerId, at, deviceId] });
      await Promise.all([
        writeDevice(statements),
        activity ? execute(CQL.customerDevice, [ts, at, customerId, deviceId]) : undefined,
      ]);
    },
    async bindIfFree(deviceId, customerId, at) {
      // Normally the sign-up check bound the device before the sign-up completed: a plain read learns that for the
      // price of a read, where the compare-and-set would spend a Paxos round (four messages, and Paxos state written)
      // to learn the same. A device the read finds free still goes through the compare-and-set, which decides (the
      // read may miss a claim in progress; it never shows an owner that was not written).
      const owner = (await client.execute(CQL.ownerOf, [deviceId], options)).first()?.['owner_id'] as string | null;
      if (owner) return 'not free';
      return (await claim(deviceId, customerId, undefined, at)) ? 'bound' : 'not free';
    },
    async recordCustomerFact(customerId, fact, at) {
      const ttl = factTtl(fact, clock());
      // A flag that expired before it arrived changes nothing (and a TTL of 0 would keep it for ever).
      if (fact.kind === 'flag' && ttl <= 0) return;
      const ts = timestampOf(at);
      const key = factKey(fact);
      const value = factValue(fact);
      // Written before the devices are read (see afterOwnerChange).
      await execute(CQL.fact, [ttl, ts, value, customerId, key]);
      const devices = await client.execute(CQL.devicesOf, [customerId], options);
      await Promise.all(
        devices.rows.map((row) =>
          writeDevice([
            { query: CQL.deviceFact, params: [ttl, ts, `${customerId}/${key}`, value, String(row['device_id'])] },
          ]),
        ),
      );
    },
    async recordDeviceFlag(deviceId, flagId, flag: FraudFlag | undefined, at) {
      const ttl = flag ? secondsUntil(flag.expiresAt, clock()) : CLEARED_FLAG_TTL_S;
      if (ttl <= 0) return;
      await writeDevice([
        { query: CQL.deviceFlag, params: [ttl, timestampOf(at), flagId, flag ? encodeFlag(flag) : CLEARED, deviceId] },
      ]);
    },
    async recordReset(deviceId, at, reset) {
      const ts = timestampOf(at);
      const statements: Statement[] = [
        reset.installId
          ? { query: CQL.resetInstall, params: [ts, at, reset.installId, deviceId] }
          : { query: CQL.reset, params: [ts, at, deviceId] },
      ];
      if (reset.resetProofFlag)
        statements.push({
          query: CQL.resetProofFlag,
          params: [ts, reset.resetProofFlag.set, reset.resetProofFlag.writtenAt, deviceId],
        });
      await writeDevice(statements);
    },
  };

  return {
    decisions,
    events,
    /**
     * Writes ownership history carried over from elsewhere (the legacy system's bindings), as single-partition
     * batches: the history a migration starts from, and the benchmark's long histories.
     */
    async backfillHistory(deviceId: string, changes: readonly OwnershipChange[]): Promise<void> {
      for (let i = 0; i < changes.length; i += 100) {
        const slice = changes.slice(i, i + 100);
        rows(slice.length);
        await client.batch(
          slice.map((c) => ({
            query: CQL.backfill,
            params: [deviceId, c.since, c.ownerId, c.previousOwnerId ?? null, c.via, timestampOf(c.since)],
          })),
          { ...options, logged: false },
        );
      }
    },
    /** The device's owners, newest first (for tests, the demo and support). */
    async history(deviceId: string): Promise<OwnershipChange[]> {
      const result = await client.execute(CQL.historyOf, [deviceId], options);
      return result.rows.map((row) => ({
        since: row['since'] as Date,
        ownerId: String(row['owner_id']),
        ...(row['previous_owner_id'] ? { previousOwnerId: String(row['previous_owner_id']) } : {}),
        via: String(row['via']),
      }));
    },
    async devicesOfCustomer(customerId: string): Promise<{ deviceId: string; lastSeen: Date }[]> {
      const result = await client.execute(CQL.devicesOfCustomer, [customerId], options);
      return result.rows.map((row) => ({ deviceId: String(row['device_id']), lastSeen: row['last_seen'] as Date }));
    },
  };
}

export type CassandraDeviceStore = ReturnType<typeof createCassandraDeviceStore>;
