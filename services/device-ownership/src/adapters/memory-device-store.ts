/**
 * The device stores in memory, with Cassandra's rules for what wins: every cell keeps the value of the write with the
 * newest timestamp (a tie goes to the greater value), entries written with a TTL vanish when it runs out, and the
 * owner changes only by compare-and-set. For unit tests and for the simulation, which replays a month of events in
 * seconds; the integration tests hold the Cassandra store to the same behaviour.
 */
import {
  CLEARED,
  deviceFlagsFrom,
  encodeFlag,
  factKey,
  factValue,
  freeDevice,
  standingsFromFacts,
  type DeviceRecord,
  type ResetProofFlag,
} from '../domain/device-record';
import type { DeviceEventStore } from '../domain/ingest';
import type { DeviceDecisionStore } from '../domain/signup-check';

interface Cell<T> {
  value: T;
  at: number;
  /** Epoch ms after which the cell is gone (undefined: never). */
  expires?: number;
}

const DAY_MS = 86_400_000;
const CLEARED_FLAG_TTL_MS = 400 * DAY_MS;

class CellMap<T> {
  readonly cells = new Map<string, Cell<T>>();
  write(key: string, value: T, at: number, expires?: number): void {
    const current = this.cells.get(key);
    if (current && (current.at > at || (current.at === at && String(current.value) >= String(value)))) return;
    this.cells.set(key, { value, at, ...(expires !== undefined ? { expires } : {}) });
  }
  live(now: number): [string, T][] {
    return [...this.cells].filter(([, c]) => c.expires === undefined || c.expires > now).map(([k, c]) => [k, c.value]);
  }
}

interface DeviceRow {
  owner?: { customerId: string; since: Date };
  platform: CellMap<'android' | 'ios'>;
  installId: CellMap<string>;
  lastResetAt: CellMap<Date>;
  resetProofFlag: CellMap<ResetProofFlag>;
  lastSeen: CellMap<Date>;
  accountsInWindow: CellMap<Date>;
  customerFacts: CellMap<string>;
  deviceFlags: CellMap<string>;
}

const newRow = (): DeviceRow => ({
  platform: new CellMap(),
  installId: new CellMap(),
  lastResetAt: new CellMap(),
  resetProofFlag: new CellMap(),
  lastSeen: new CellMap(),
  accountsInWindow: new CellMap(),
  customerFacts: new CellMap(),
  deviceFlags: new CellMap(),
});

const one = <T>(cells: CellMap<T>, now: number): T | undefined => cells.live(now)[0]?.[1];

export interface OwnershipChangeInMemory {
  deviceId: string;
  since: Date;
  ownerId: string;
  previousOwnerId?: string;
}

/** `clock` is the store's now (TTLs count from it): the simulation moves it through its month. */
export function createMemoryDeviceStore(clock: () => Date = () => new Date(), lastSeenDays = 400) {
  const lastSeenMs = lastSeenDays * DAY_MS;
  const devices = new Map<string, DeviceRow>();
  const customerFacts = new Map<string, CellMap<string>>();
  const devicesByCustomer = new Map<string, Set<string>>();
  const history: OwnershipChangeInMemory[] = [];
  const row = (deviceId: string): DeviceRow => {
    let found = devices.get(deviceId);
    if (!found) devices.set(deviceId, (found = newRow()));
    return found;
  };
  const factsOf = (customerId: string): CellMap<string> => {
    let found = customerFacts.get(customerId);
    if (!found) customerFacts.set(customerId, (found = new CellMap()));
    return found;
  };
  const addDevice = (customerId: string, deviceId: string) => {
    const set = devicesByCustomer.get(customerId) ?? new Set<string>();
    set.add(deviceId);
    devicesByCustomer.set(customerId, set);
  };

  const claim = async (deviceId: string, customerId: string, expectedOwner: string | undefined, at: Date) => {
    const device = row(deviceId);
    if (device.owner?.customerId !== expectedOwner) return false;
    device.owner = { customerId, since: at };
    history.push({
      deviceId,
      since: at,
      ownerId: customerId,
      ...(expectedOwner ? { previousOwnerId: expectedOwner } : {}),
    });
    addDevice(customerId, deviceId);
    device.lastSeen.write(customerId, at, at.getTime(), at.getTime() + lastSeenMs);
    for (const [fact, cell] of factsOf(customerId).cells)
      device.customerFacts.write(`${customerId}/${fact}`, cell.value, cell.at, cell.expires);
    return true;
  };

  const decisions: DeviceDecisionStore = {
    async read(deviceId) {
      const device = devices.get(deviceId);
      if (!device) return freeDevice(deviceId);
      const now = clock().getTime();
      const platform = one(device.platform, now);
      const lastResetAt = one(device.lastResetAt, now);
      const resetProofFlag = one(device.resetProofFlag, now);
      const record: DeviceRecord = {
        deviceId,
        ...(device.owner ? { owner: device.owner } : {}),
        ...(platform ? { platform } : {}),
        ...(lastResetAt ? { lastResetAt } : {}),
        ...(resetProofFlag ? { resetProofFlag } : {}),
        lastSeen: new Map(device.lastSeen.live(now)),
        accountsInWindow: new Map(device.accountsInWindow.live(now)),
        standings: standingsFromFacts(device.customerFacts.live(now)),
        deviceFlags: deviceFlagsFrom(device.deviceFlags.live(now)),
      };
      return record;
    },
    claim,
  };

  const events: DeviceEventStore = {
    async recordInstall(deviceId, install, at) {
      const device = row(deviceId);
      device.platform.write('', install.platform, at.getTime());
      device.installId.write('', install.installId, at.getTime());
      if (install.resetProofFlag) device.resetProofFlag.write('', install.resetProofFlag, at.getTime());
    },
    async recordSeen(deviceId, customerId, at, { activity, windowDays }) {
      const device = row(deviceId);
      const expires = at.getTime() + windowDays * DAY_MS;
      if (expires > clock().getTime()) device.accountsInWindow.write(customerId, at, at.getTime(), expires);
      if (activity) {
        device.lastSeen.write(customerId, at, at.getTime(), at.getTime() + lastSeenMs);
        addDevice(customerId, deviceId);
      }
    },
    async bindIfFree(deviceId, customerId, at) {
      return (await claim(deviceId, customerId, undefined, at)) ? 'bound' : 'not free';
    },
    async recordCustomerFact(customerId, fact, at) {
      const expires =
        fact.kind === 'flag'
          ? fact.flag.expiresAt.getTime()
          : fact.kind === 'flag-cleared'
            ? clock().getTime() + CLEARED_FLAG_TTL_MS
            : undefined;
      if (expires !== undefined && expires <= clock().getTime()) return;
      const key = factKey(fact);
      const value = factValue(fact);
      factsOf(customerId).write(key, value, at.getTime(), expires);
      for (const deviceId of devicesByCustomer.get(customerId) ?? [])
        row(deviceId).customerFacts.write(`${customerId}/${key}`, value, at.getTime(), expires);
    },
    async recordDeviceFlag(deviceId, flagId, flag, at) {
      const expires = flag ? flag.expiresAt.getTime() : clock().getTime() + CLEARED_FLAG_TTL_MS;
      if (expires <= clock().getTime()) return;
      row(deviceId).deviceFlags.write(flagId, flag ? encodeFlag(flag) : CLEARED, at.getTime(), expires);
    },
    async recordReset(deviceId, at, reset) {
      const device = row(deviceId);
      device.lastResetAt.write('', at, at.getTime());
      if (reset.installId) device.installId.write('', reset.installId, at.getTime());
      if (reset.resetProofFlag) device.resetProofFlag.write('', reset.resetProofFlag, at.getTime());
    },
  };

  return { decisions, events, history: () => history, deviceCount: () => devices.size };
}
