/**
 * CPU and memory of processes from /proc (Linux): utime+stime of /proc/<pid>/stat, VmRSS of
 * /proc/<pid>/status, and the machine's busy time from /proc/stat. Everything here is a cheap,
 * synchronous file read, so it can be sampled during a run without disturbing it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KernelSnapshot, type KernelWorkReport, kernelBetween, kernelSnapshot } from './kernel-work.ts';
import { summarise } from './latency.ts';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux. */
const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the `(comm)` field (comm may contain spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) the process has used so far, or null when it is gone. */
export function cpuSecondsOf(pid: number): number | null {
  const fields = statFields(pid);
  if (!fields) return null;
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export function parentPidOf(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : null;
}

/** Resident set size in KiB (VmRSS), or null when the process is gone. */
export function rssKbOf(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The process's command line (/proc/<pid>/cmdline: program and arguments), or null when it is gone. */
export function commandLineOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.length === 0 ? null : raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) since boot. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

/** Direct children of a process (scans /proc; used for the Postgres postmaster's backends). */
export function childPidsOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (parentPidOf(pid) === parent) out.push(pid);
  }
  return out;
}

/** A pid file's pid, when the file exists and the process is alive. */
export function pidFromFile(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim().split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}`) ? pid : null;
}

/** The pid listening on a TCP port on this machine (via `ss`), for services the bench did not start. */
export function pidListeningOn(port: number): number | null {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match?.[1] ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The postmaster's pid from `<data_directory>/postmaster.pid`. */
export function postmasterPid(dataDirectory: string): number | null {
  return pidFromFile(join(dataDirectory, 'postmaster.pid'));
}

/** Named groups of processes whose CPU is measured over a window. */
export type ProcessGroups = () => Map<string, number[]>;

export interface CpuSnapshot {
  at: number;
  /** group → pid → cpu seconds */
  groups: Map<string, Map<number, number>>;
  machine: { busy: number; total: number };
  driverUs: number;
  /** Context switches and system calls of the same processes (kernel-work.ts). */
  kernel: KernelSnapshot;
}

export function cpuSnapshot(groups: ProcessGroups): CpuSnapshot {
  const out = new Map<string, Map<number, number>>();
  const named = groups();
  for (const [name, pids] of named) {
    const perPid = new Map<number, number>();
    for (const pid of pids) {
      const seconds = cpuSecondsOf(pid);
      if (seconds !== null) perPid.set(pid, seconds);
    }
    out.set(name, perPid);
  }
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    groups: out,
    machine: machineCpuSeconds(),
    driverUs: usage.user + usage.system,
    kernel: kernelSnapshot(named),
  };
}

export interface CpuUsage {
  /** CPU seconds used in the window. */
  seconds: number;
  /** Percent of one core (200 = both cores of a 2-core machine busy). */
  percentOfCore: number;
}

export interface CpuReport {
  wallSeconds: number;
  byProcess: Record<string, CpuUsage>;
  /** Whole machine, percent of all cores. */
  machineBusyPercent: number;
  /** Busy CPU not attributed to any measured process (other workloads, kernel, the tools themselves). */
  unattributed: CpuUsage;
  /** Context switches and read/write system calls in the window, per group and machine-wide. */
  kernel: KernelWorkReport;
}

/**
 * CPU used between two snapshots, per group. A process that appeared in the window counts from
 * zero (it started inside it); one that disappeared is lost (only short-lived backends do that).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuReport {
  const wallSeconds = (b.at - a.at) / 1000;
  const usage = (seconds: number): CpuUsage => ({
    seconds: round(seconds, 3),
    percentOfCore: round((100 * seconds) / Math.max(wallSeconds, 1e-9), 1),
  });
  const byProcess: Record<string, CpuUsage> = {};
  let attributed = 0;
  for (const [name, after] of b.groups) {
    const before = a.groups.get(name) ?? new Map<number, number>();
    let seconds = 0;
    for (const [pid, value] of after) seconds += value - (before.get(pid) ?? 0);
    byProcess[name] = usage(seconds);
    attributed += seconds;
  }
  const driver = (b.driverUs - a.driverUs) / 1e6;
  byProcess['bench driver'] = usage(driver);
  attributed += driver;
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  return {
    wallSeconds: round(wallSeconds, 3),
    byProcess,
    machineBusyPercent: round((100 * busy) / Math.max(total, 1e-9), 1),
    unattributed: usage(Math.max(0, busy - attributed)),
    kernel: kernelBetween(a.kernel, b.kernel),
  };
}

export const round = (value: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** One RSS reading of a process: when (ms on the sampler's clock) and how much (KiB). */
export interface RssSample {
  atMs: number;
  kb: number;
}

/** RSS of a process over a window: first and last reading, the highest, and its shape over time. */
export interface RssWindow {
  startKb: number;
  endKb: number;
  peakKb: number;
  /**
   * The median reading of each tenth of the sampled time span, in order (fewer than ten when the
   * span holds fewer readings): whether memory levels off or keeps growing, which start and end
   * alone cannot tell.
   */
  byTenthKb: number[];
}

/** The median of readings (the nearest-rank p50 the latencies use); 0 for none. */
const median = (values: readonly number[]): number => summarise(values)?.p50 ?? 0;

/**
 * Splits readings (in time order) into ten equal slices of the time they span and returns each
 * non-empty slice's median (nearest rank), in order.
 */
export function medianByTenth(samples: readonly RssSample[]): number[] {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined) return [];
  const span = last.atMs - first.atMs;
  if (span <= 0) return [median(samples.map((s) => s.kb))];
  const tenths: number[][] = Array.from({ length: 10 }, () => []);
  for (const sample of samples) {
    const tenth = Math.min(9, Math.floor(((sample.atMs - first.atMs) / span) * 10));
    tenths[tenth]?.push(sample.kb);
  }
  return tenths.filter((kbs) => kbs.length > 0).map(median);
}

/** Samples the RSS of named processes every `intervalMs`: start, end, peak and shape per process. */
export class RssSampler {
  readonly #pids: () => Map<string, number>;
  readonly #now: () => number;
  readonly #samples = new Map<string, RssSample[]>();
  #timer: NodeJS.Timeout | null = null;

  constructor(pids: () => Map<string, number>, now: () => number = () => performance.now()) {
    this.#pids = pids;
    this.#now = now;
  }

  start(intervalMs = 1_000): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    const atMs = this.#now();
    for (const [name, pid] of this.#pids()) {
      const kb = rssKbOf(pid);
      if (kb === null) continue;
      const seen = this.#samples.get(name);
      if (seen) seen.push({ atMs, kb });
      else this.#samples.set(name, [{ atMs, kb }]);
    }
  }

  stop(): Record<string, RssWindow> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sample();
    return Object.fromEntries(
      [...this.#samples].map(([name, samples]) => [
        name,
        {
          startKb: samples[0]?.kb ?? 0,
          endKb: samples[samples.length - 1]?.kb ?? 0,
          peakKb: Math.max(...samples.map((s) => s.kb)),
          byTenthKb: medianByTenth(samples),
        },
      ]),
    );
  }
}
