import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where a benchmark's CPU goes: the CPU time (user + system, all threads) each process of the local
 * cloud spent during a measurement, read from /proc. On a machine whose cores every component shares,
 * an end-to-end figure is only as meaningful as this split: it shows what the code under test costs
 * next to the emulators and the sandbox it runs against. Linux only; elsewhere the budget is empty.
 */
export interface CpuProcess {
  component: string;
  pid: number | undefined;
  /** Count its descendants too (PostgreSQL's backends under runuser and the postmaster): those alive when read. */
  children?: boolean;
}

export interface CpuBudget {
  /** CPU seconds per component over the measurement. */
  seconds: Map<string, number>;
  wallSeconds: number;
}

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** The pids descended from `pid`. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(parent, [...(parents.get(parent) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  for (let pending = [pid]; pending.length > 0;) {
    const children = pending.flatMap((p) => parents.get(p) ?? []);
    found.push(...children);
    pending = children;
  }
  return found;
}

/** CPU seconds of a process and, when asked, of its children; per pid, so that a child that appears counts from 0. */
function cpuOf(process: CpuProcess): Map<number, number> {
  const seconds = new Map<number, number>();
  if (process.pid === undefined) return seconds;
  for (const pid of [process.pid, ...(process.children ? descendantsOf(process.pid) : [])]) {
    const s = cpuSecondsOf(pid);
    if (s !== undefined) seconds.set(pid, s);
  }
  return seconds;
}

/** Starts measuring; the returned function ends the measurement and gives the budget. */
export function startCpuBudget(processes: readonly CpuProcess[]): () => CpuBudget {
  const before = processes.map(cpuOf);
  const started = performance.now();
  return () => {
    const seconds = new Map<string, number>();
    processes.forEach((p, i) => {
      const end = cpuOf(p);
      if (end.size === 0) return;
      let spent = 0;
      for (const [pid, s] of end) spent += s - (before[i]!.get(pid) ?? 0);
      seconds.set(p.component, (seconds.get(p.component) ?? 0) + spent);
    });
    return { seconds, wallSeconds: (performance.now() - started) / 1000 };
  };
}

export const totalCpuSeconds = (budget: CpuBudget): number =>
  [...budget.seconds.values()].reduce((sum, s) => sum + s, 0);

/**
 * The share of the machine's CPU time the hypervisor gave to other guests ("steal") until the returned
 * function is called: on a shared virtual machine, the reason the same code measures 20 % apart.
 */
export function startStealMeasure(): () => number | undefined {
  const read = (): { steal: number; total: number } | undefined => {
    try {
      const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
      const numbers = ticks.map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already in user)
      return { steal: numbers[7] ?? 0, total: numbers.slice(0, 8).reduce((sum, n) => sum + n, 0) };
    } catch {
      return undefined;
    }
  };
  const before = read();
  return () => {
    const after = read();
    if (!before || !after || after.total === before.total) return undefined;
    return (after.steal - before.steal) / (after.total - before.total);
  };
}
