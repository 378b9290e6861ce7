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
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { summarise } from './latency.ts';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const readOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process or thread has ended, or the file is not ours to read
  }
};
const countAfter = (text: string, field: RegExp): number => Number(field.exec(text)?.[1] ?? 0);

/** Fields of /proc/<pid>/stat after `(comm)` (which may hold spaces and parentheses): [0] is the state. */
function statFields(pid: number): string[] | null {
  const text = readOrNull(`/proc/${pid}/stat`);
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2).split(' ');
}

interface ProcessSample {
  cpuSeconds: number;
  contextSwitches: number;
  ioSyscalls: number | null;
}

function sampleProcess(pid: number): ProcessSample | null {
  const fields = statFields(pid);
  if (fields === null) return null;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null; // ended since its stat was read
  }
  let contextSwitches = 0;
  for (const tid of tids) {
    const status = readOrNull(`/proc/${pid}/task/${tid}/status`) ?? '';
    contextSwitches +=
      countAfter(status, /^voluntary_ctxt_switches:\s+(\d+)/m) +
      countAfter(status, /^nonvoluntary_ctxt_switches:\s+(\d+)/m);
  }
  const io = readOrNull(`/proc/${pid}/io`);
  return {
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / ticksPerSecond,
    contextSwitches,
    ioSyscalls: io === null ? null : countAfter(io, /^syscr:\s+(\d+)/m) + countAfter(io, /^syscw:\s+(\d+)/m),
  };
}

/** Resident set size in KiB (VmRSS), or null when the process is gone. */
const rssKbOf = (pid: number): number | null => {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readOrNull(`/proc/${pid}/status`) ?? '')?.[1];
  return kb === undefined ? null : Number(kb);
};

/** The process's command line (program and arguments), or null when it is gone. */
export function commandLineOf(pid: number): string[] | null {
  const raw = readOrNull(`/proc/${pid}/cmdline`);
  return raw ? raw.replace(/\0$/, '').split('\0') : null;
}

/** Direct children of a process (the Postgres postmaster's backends). */
export const childPidsOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && statFields(Number(entry))?.[1] === String(parent))
    .map(Number);

/** A pid file's pid, when the file exists and the process is alive. */
export function pidFromFile(file: string): number | null {
  const pid = Number(readOrNull(file)?.trim().split('\n')[0]);
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
  const out = new Map<string, Map<number, ProcessSample>>();
  for (const [name, pids] of groups().set(driverGroup, [process.pid])) {
    const samples = new Map<number, ProcessSample>();
    for (const pid of pids) {
      const sample = sampleProcess(pid);
      if (sample) samples.set(pid, sample);
    }
    out.set(name, samples);
  }
  const stat = readFileSync('/proc/stat', 'utf8');
  const ticks = (stat.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, v) => sum + v, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return {
    at: performance.now(),
    groups: out,
    machine: {
      busy: (total - idle) / ticksPerSecond,
      total: total / ticksPerSecond,
      contextSwitches: countAfter(stat, /^ctxt\s+(\d+)/m),
    },
  };
}

export interface ProcessUsage {
  /** CPU seconds in the window, and in percent of one core (200 = both cores of a 2-core machine). */
  seconds: number;
  percentOfCore: number;
  contextSwitches: number;
  /** Null when the io file of one of the group's processes was not readable. */
  ioSyscalls: number | null;
}

export interface CpuReport {
  wallSeconds: number;
  /** Whole machine, percent of all cores, and its busy CPU seconds. */
  machineBusyPercent: number;
  machineBusySeconds: number;
  machineContextSwitches: number;
  byProcess: Record<string, ProcessUsage>;
  /** Busy CPU and context switches of no group: other processes, the kernel's threads. */
  unattributed: { seconds: number; percentOfCore: number; contextSwitches: number };
}

export const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/**
 * Usage between two snapshots, per group. A process that appeared in the window counts from zero;
 * one that is gone is left out. A thread that ended takes its context switches with it, so a
 * process's count is never taken below zero.
 */
export function usageBetween(a: Snapshot, b: Snapshot): CpuReport {
  const wallSeconds = (b.at - a.at) / 1000;
  const percent = (seconds: number) => round((100 * seconds) / Math.max(wallSeconds, 1e-9), 1);
  const byProcess: Record<string, ProcessUsage> = {};
  let cpu = 0;
  let switches = 0;
  for (const [name, after] of b.groups) {
    const before = a.groups.get(name);
    const usage = { seconds: 0, percentOfCore: 0, contextSwitches: 0, ioSyscalls: 0 as number | null };
    for (const [pid, end] of after) {
      const start = before?.get(pid);
      usage.seconds += end.cpuSeconds - (start?.cpuSeconds ?? 0);
      usage.contextSwitches += Math.max(0, end.contextSwitches - (start?.contextSwitches ?? 0));
      usage.ioSyscalls =
        usage.ioSyscalls === null || end.ioSyscalls === null || start?.ioSyscalls === null
          ? null
          : usage.ioSyscalls + end.ioSyscalls - (start?.ioSyscalls ?? 0);
    }
    cpu += usage.seconds;
    switches += usage.contextSwitches;
    byProcess[name] = { ...usage, seconds: round(usage.seconds, 3), percentOfCore: percent(usage.seconds) };
  }
  const busy = b.machine.busy - a.machine.busy;
  const machineContextSwitches = b.machine.contextSwitches - a.machine.contextSwitches;
  return {
    wallSeconds: round(wallSeconds, 3),
    machineBusyPercent: round((100 * busy) / Math.max(b.machine.total - a.machine.total, 1e-9), 1),
    machineBusySeconds: round(busy, 3),
    machineContextSwitches,
    byProcess,
    unattributed: {
      seconds: round(Math.max(0, busy - cpu), 3),
      percentOfCore: percent(Math.max(0, busy - cpu)),
      contextSwitches: Math.max(0, machineContextSwitches - switches),
    },
  };
}

/** A window's work per completed saga (bench:ab compares machineContextSwitches). */
export interface PerSaga {
  machineCpuMs: number;
  machineContextSwitches: number;
  byProcess: Record<string, { cpuMs: number; contextSwitches: number; ioSyscalls: number | null }>;
}

/** Per completed saga, rounded to two decimals; null for none completed. */
export function perSaga(report: CpuReport, sagas: number): PerSaga | null {
  if (sagas <= 0) return null;
  const per = (n: number) => round(n / sagas, 2);
  return {
    machineCpuMs: per(1000 * report.machineBusySeconds),
    machineContextSwitches: per(report.machineContextSwitches),
    byProcess: Object.fromEntries(
      Object.entries(report.byProcess).map(([name, u]) => [
        name,
        {
          cpuMs: per(1000 * u.seconds),
          contextSwitches: per(u.contextSwitches),
          ioSyscalls: u.ioSyscalls === null ? null : per(u.ioSyscalls),
        },
      ]),
    ),
  };
}

/** RSS of a process over a window: first and last reading, the highest, and its shape over time. */
export interface RssWindow {
  startKb: number;
  endKb: number;
  peakKb: number;
  /** The median of each tenth of the sampled span: whether memory levels off or keeps growing. */
  byTenthKb: number[];
}

/** Splits readings (in time order) into ten equal slices of their span; each non-empty slice's median. */
export function medianByTenth(samples: ReadonlyArray<{ atMs: number; kb: number }>): number[] {
  const first = samples[0]?.atMs ?? 0;
  const span = (samples[samples.length - 1]?.atMs ?? 0) - first;
  const tenths: number[][] = Array.from({ length: span > 0 ? 10 : 1 }, () => []);
  for (const s of samples)
    tenths[span > 0 ? Math.min(9, Math.floor(((s.atMs - first) / span) * 10)) : 0]?.push(s.kb);
  return tenths.filter((kbs) => kbs.length > 0).map((kbs) => summarise(kbs)?.p50 ?? 0);
}

/** Samples the RSS of named processes every `intervalMs` until stopped. */
export class RssSampler {
  readonly #pids: () => Map<string, number>;
  readonly #samples = new Map<string, Array<{ atMs: number; kb: number }>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(pids: () => Map<string, number>) {
    this.#pids = pids;
  }

  start(intervalMs = 1_000): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs).unref();
    return this;
  }

  stop(): Record<string, RssWindow> {
    if (this.#timer) clearInterval(this.#timer);
    this.#sample();
    return Object.fromEntries(
      [...this.#samples].map(([name, s]) => [
        name,
        {
          startKb: s[0]?.kb ?? 0,
          endKb: s[s.length - 1]?.kb ?? 0,
          peakKb: Math.max(...s.map((r) => r.kb)),
          byTenthKb: medianByTenth(s),
        },
      ]),
    );
  }

  #sample(): void {
    const atMs = performance.now();
    for (const [name, pid] of this.#pids()) {
      const kb = rssKbOf(pid);
      if (kb === null) continue;
      const seen = this.#samples.get(name);
      if (seen) seen.push({ atMs, kb });
      else this.#samples.set(name, [{ atMs, kb }]);
    }
  }
}
