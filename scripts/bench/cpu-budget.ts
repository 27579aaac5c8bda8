import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Where a benchmark's CPU goes: the CPU time (user + system, all threads) each process of the local
 * cloud spent during a measurement, read from /proc. On a machine whose cores every component shares,
 * an end-to-end figure is only as meaningful as this split: it shows what the code under test costs
 * next to the emulators and the sandbox it runs against. Linux only; elsewhere the budget is empty.
 */
export interface CpuProcess {
  component: string;
  pid: number | undefined;
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

/** Starts measuring; the returned function ends the measurement and gives the budget. */
export function startCpuBudget(processes: readonly CpuProcess[]): () => CpuBudget {
  const before = processes.map((p) => cpuSecondsOf(p.pid));
  const started = performance.now();
  return () => {
    const seconds = new Map<string, number>();
    processes.forEach((p, i) => {
      const end = cpuSecondsOf(p.pid);
      if (end !== undefined && before[i] !== undefined)
        seconds.set(p.component, (seconds.get(p.component) ?? 0) + end - before[i]);
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
