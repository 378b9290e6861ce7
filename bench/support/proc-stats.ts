/**
 * What processes cost the machine, from /proc (Linux), cheap enough to read during a run: CPU time
 * (utime + stime of /proc/<pid>/stat), context switches of every live thread
 * (/proc/<pid>/task/<tid>/status), read- and write-class system calls (syscr + syscw of
 * /proc/<pid>/io, all threads, ended ones included; readable by the owner or root only), resident
 * memory (VmRSS), and the machine's busy time and context switches (/proc/stat).
 *
 * Context switches and system calls are counts, not times, but on the development VM a wake-up of
 * another process costs more CPU than most of the code it runs, so how many there are per saga says
 * where the machine's work goes; they fall as batches grow.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { summarise } from './latency.ts';

/** Clock ticks per second of /proc's CPU times: USER_HZ, 100 on Linux's mainstream architectures. */
const ticksPerSecond = 100;

/** A file of /proc, or null when its process or thread has ended (or it is not ours to read). */
const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};
const count = (text: string | null, field: RegExp): number => Number(field.exec(text ?? '')?.[1] ?? 0);
/** Fields of /proc/<pid>/stat after `(comm)` (which may hold spaces and parentheses): [0] is the state. */
const statFields = (pid: number): string[] | undefined => {
  const text = read(`/proc/${pid}/stat`);
  return text?.slice(text.lastIndexOf(')') + 2).split(' ');
};

interface ProcessSample {
  cpuSeconds: number;
  contextSwitches: number;
  ioSyscalls: number | null;
}

function sampleProcess(pid: number): ProcessSample | null {
  const fields = statFields(pid);
  let threads: string[] | null = null;
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    // the process ended since its stat was read
  }
  if (!fields || !threads) return null;
  let contextSwitches = 0;
  for (const tid of threads) {
    const status = read(`/proc/${pid}/task/${tid}/status`);
    contextSwitches += count(status, /^voluntary_ctxt_switches:\s+(\d+)/m);
    contextSwitches += count(status, /^nonvoluntary_ctxt_switches:\s+(\d+)/m);
  }
  const io = read(`/proc/${pid}/io`);
  return {
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond,
    contextSwitches,
    ioSyscalls: io === null ? null : count(io, /^syscr:\s+(\d+)/m) + count(io, /^syscw:\s+(\d+)/m),
  };
}

/** The process's command line (program and arguments), or null when it is gone. */
export const commandLineOf = (pid: number): string[] | null =>
  read(`/proc/${pid}/cmdline`)?.replace(/\0$/, '').split('\0') ?? null;

/** Direct children of a process (the Postgres postmaster's backends). */
export const childPidsOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && statFields(Number(entry))?.[1] === String(parent))
    .map(Number);

/** A pid file's pid, when the file exists and the process is alive. */
export function pidFromFile(file: string): number | null {
  const pid = Number(read(file)?.trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : null;
}

/** Named groups of processes whose work is measured over a window. */
export type ProcessGroups = () => Map<string, number[]>;
/** The bench's own process is measured as this group. */
export const driverGroup = 'bench driver';

export interface Snapshot {
  at: number;
  /** group → pid → sample */
  groups: Map<string, Map<number, ProcessSample>>;
  machine: { busy: number; total: number; contextSwitches: number };
}

export function snapshot(groups: ProcessGroups): Snapshot {
  const samples = [...groups().set(driverGroup, [process.pid])].map(([name, pids]) => {
    const byPid = pids.flatMap((pid) => [[pid, sampleProcess(pid)] as const]);
    return [name, new Map(byPid.filter((s): s is [number, ProcessSample] => s[1] !== null))] as const;
  });
  const stat = readFileSync('/proc/stat', 'utf8');
  const ticks = (stat.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, v) => sum + v, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  const contextSwitches = count(stat, /^ctxt\s+(\d+)/m);
  const machine = { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond, contextSwitches };
  return { at: performance.now(), groups: new Map(samples), machine };
}

export const round = (value: number, digits: number): number =>
  Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Usage between two snapshots, per group. A process that appeared in the window counts from zero;
 * one that is gone is left out. A thread that ended takes its context switches with it, so a
 * process's count is never taken below zero.
 */
export type CpuReport = ReturnType<typeof usageBetween>;

export function usageBetween(a: Snapshot, b: Snapshot) {
  const wallSeconds = (b.at - a.at) / 1000;
  const percent = (seconds: number) => round((100 * seconds) / Math.max(wallSeconds, 1e-9), 1);
  /** By group: CPU seconds and % of one core (200 = both cores of a 2-core machine), counts. */
  const byProcess: Record<
    string,
    { seconds: number; percentOfCore: number; contextSwitches: number; ioSyscalls: number | null }
  > = {};
  for (const [name, after] of b.groups) {
    const u = { seconds: 0, percentOfCore: 0, contextSwitches: 0, ioSyscalls: 0 as number | null };
    for (const [pid, end] of after) {
      const start = a.groups.get(name)?.get(pid);
      u.seconds += end.cpuSeconds - (start?.cpuSeconds ?? 0);
      u.contextSwitches += Math.max(0, end.contextSwitches - (start?.contextSwitches ?? 0));
      const calls =
        end.ioSyscalls === null || start?.ioSyscalls === null
          ? null
          : end.ioSyscalls - (start?.ioSyscalls ?? 0);
      u.ioSyscalls = u.ioSyscalls === null || calls === null ? null : u.ioSyscalls + calls;
    }
    byProcess[name] = { ...u, seconds: round(u.seconds, 3), percentOfCore: percent(u.seconds) };
  }
  const busy = b.machine.busy - a.machine.busy;
  const switches = b.machine.contextSwitches - a.machine.contextSwitches;
  const measured = Object.values(byProcess);
  const other = Math.max(0, busy - measured.reduce((sum, u) => sum + u.seconds, 0));
  const otherSwitches = Math.max(0, switches - measured.reduce((sum, u) => sum + u.contextSwitches, 0));
  return {
    wallSeconds: round(wallSeconds, 3),
    /** The whole machine: percent of all cores busy, busy seconds, context switches. */
    machineBusyPercent: round((100 * busy) / Math.max(b.machine.total - a.machine.total, 1e-9), 1),
    machineBusySeconds: round(busy, 3),
    machineContextSwitches: switches,
    byProcess,
    /** Busy CPU and context switches of no group: other processes, the kernel's threads. */
    unattributed: { seconds: round(other, 3), percentOfCore: percent(other), contextSwitches: otherSwitches },
  };
}

/** A window's work per completed saga (bench:ab compares machineContextSwitches). */
export type PerSaga = NonNullable<ReturnType<typeof perSaga>>;

/** Per completed saga, rounded to two decimals; null for none completed. */
export function perSaga(report: CpuReport, sagas: number) {
  if (sagas <= 0) return null;
  const per = (n: number) => round(n / sagas, 2);
  const byProcess = Object.entries(report.byProcess).map(([name, u]) => {
    const ioSyscalls = u.ioSyscalls === null ? null : per(u.ioSyscalls);
    return [
      name,
      { cpuMs: per(1000 * u.seconds), contextSwitches: per(u.contextSwitches), ioSyscalls },
    ] as const;
  });
  return {
    machineCpuMs: per(1000 * report.machineBusySeconds),
    machineContextSwitches: per(report.machineContextSwitches),
    byProcess: Object.fromEntries(byProcess),
  };
}

/** Splits readings (in time order) into ten equal slices of their span; each non-empty slice's median. */
export function medianByTenth(samples: ReadonlyArray<{ atMs: number; kb: number }>): number[] {
  const first = samples[0]?.atMs ?? 0;
  const span = (samples[samples.length - 1]?.atMs ?? 0) - first;
  const tenths: number[][] = Array.from({ length: 10 }, () => []);
  for (const s of samples)
    tenths[span > 0 ? Math.min(9, Math.floor(((s.atMs - first) / span) * 10)) : 0]?.push(s.kb);
  return tenths.filter((kbs) => kbs.length > 0).map((kbs) => summarise(kbs)?.p50 ?? 0);
}

/** RSS of a process over a window: whether memory levels off or keeps growing. */
export type RssWindow = ReturnType<RssSampler['stop']>[string];

/** A process's resident set (VmRSS) in kB; null when it is gone. */
export function rssKbOf(pid: number): number | null {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(read(`/proc/${pid}/status`) ?? '')?.[1];
  return kb === undefined ? null : Number(kb);
}

/** Samples the RSS (VmRSS) of named processes every `intervalMs` until stopped. */
export class RssSampler {
  readonly #pids: () => Map<string, number>;
  readonly #samples = new Map<string, Array<{ atMs: number; kb: number }>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(pids: () => Map<string, number>) {
    this.#pids = pids;
  }

  start(intervalMs = 1_000): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs).unref();
    return this;
  }

  /** Per process: the first, last and highest reading, and the median of each tenth of the span. */
  stop() {
    clearInterval(this.#timer);
    this.#sample();
    const windowOf = (s: Array<{ atMs: number; kb: number }>) => ({
      startKb: s[0]?.kb ?? 0,
      endKb: s[s.length - 1]?.kb ?? 0,
      peakKb: Math.max(...s.map((r) => r.kb)),
      byTenthKb: medianByTenth(s),
    });
    return Object.fromEntries([...this.#samples].map(([name, samples]) => [name, windowOf(samples)]));
  }

  #sample(): void {
    const atMs = performance.now();
    for (const [name, pid] of this.#pids()) {
      const kb = rssKbOf(pid);
      if (kb === null) continue;
      const seen = this.#samples.get(name) ?? [];
      seen.push({ atMs, kb: Number(kb) });
      this.#samples.set(name, seen);
    }
  }
}
