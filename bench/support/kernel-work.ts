/**
 * What processes ask of the kernel, counted rather than timed: context switches (every time a
 * thread stops running, because it waits or because it was preempted) and read- and write-class
 * system calls. On this project's development VM a wake-up of another process costs more CPU than
 * most of the code it runs (bench/README.md, "Where one saga's CPU goes when nothing batches"), so
 * how many there are per saga says where the machine's work goes. Counts do not include how long
 * each took, but they fall as batches grow, and batches grow when the machine is slower.
 *
 * Sources, all cheap reads of /proc: the voluntary and involuntary context switches of every live
 * thread (/proc/<pid>/task/<tid>/status), the process's syscr + syscw (/proc/<pid>/io: read- and
 * write-class calls of all its threads, ended ones included; readable only by the process's owner
 * or root), and the machine's total context switches (the `ctxt` line of /proc/stat). They are
 * read with the CPU times, by cpuSnapshot (process-stats.ts), so every CpuReport carries them.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface KernelWork {
  /** Context switches of the process's threads that are alive at the reading. */
  contextSwitches: number;
  /** Read- and write-class system calls (syscr + syscw); null when /proc/<pid>/io is not readable. */
  ioSyscalls: number | null;
}

const countAfter = (text: string, field: RegExp): number => Number(field.exec(text)?.[1] ?? 0);
const voluntary = /^voluntary_ctxt_switches:\s+(\d+)/m;
const involuntary = /^nonvoluntary_ctxt_switches:\s+(\d+)/m;

/** Context switches of a process's live threads, or null when the process is gone. */
export function contextSwitchesOf(pid: number): number | null {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let total = 0;
  for (const tid of threads) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      total += countAfter(status, voluntary) + countAfter(status, involuntary);
    } catch {
      // the thread ended between listing and reading: its switches are no longer counted anywhere
    }
  }
  return total;
}

/** syscr + syscw of a process, or null when it is gone or its io file is not readable. */
export function ioSyscallsOf(pid: number): number | null {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return countAfter(io, /^syscr:\s+(\d+)/m) + countAfter(io, /^syscw:\s+(\d+)/m);
  } catch {
    return null;
  }
}

export function kernelWorkOf(pid: number): KernelWork | null {
  const contextSwitches = contextSwitchesOf(pid);
  return contextSwitches === null ? null : { contextSwitches, ioSyscalls: ioSyscallsOf(pid) };
}

/** Context switches of the whole machine since boot. */
export function machineContextSwitches(): number {
  return countAfter(readFileSync('/proc/stat', 'utf8'), /^ctxt\s+(\d+)/m);
}

export interface KernelSnapshot {
  /** group → pid → counts */
  groups: Map<string, Map<number, KernelWork>>;
  machineContextSwitches: number;
}

/** The bench's own process counts as the group "bench driver", as in the CPU figures. */
export const driverGroup = 'bench driver';

/** Counts of the named groups of processes, and of this process as the bench driver. */
export function kernelSnapshot(groups: ReadonlyMap<string, readonly number[]>): KernelSnapshot {
  const out = new Map<string, Map<number, KernelWork>>();
  const named = new Map(groups).set(driverGroup, [process.pid]);
  for (const [name, pids] of named) {
    const perPid = new Map<number, KernelWork>();
    for (const pid of pids) {
      const work = kernelWorkOf(pid);
      if (work) perPid.set(pid, work);
    }
    out.set(name, perPid);
  }
  return { groups: out, machineContextSwitches: machineContextSwitches() };
}

export interface KernelWorkReport {
  /** Context switches on the whole machine in the window. */
  machineContextSwitches: number;
  /** Per group: its processes' counts in the window (see kernelBetween). */
  byProcess: Record<string, KernelWork>;
  /** Machine context switches not attributed to any group: other processes, the kernel's threads. */
  unattributedContextSwitches: number;
}

/**
 * Counts between two snapshots, per group. A process that appeared in the window counts from zero;
 * one that is gone is left out. A thread that ended in the window takes its context switches with
 * it, so a group's figure is never taken below zero. ioSyscalls is null for a group when the file of
 * one of its processes was unreadable.
 */
export function kernelBetween(a: KernelSnapshot, b: KernelSnapshot): KernelWorkReport {
  const byProcess: Record<string, KernelWork> = {};
  let attributed = 0;
  for (const [name, after] of b.groups) {
    const before = a.groups.get(name) ?? new Map<number, KernelWork>();
    let contextSwitches = 0;
    let ioSyscalls: number | null = 0;
    for (const [pid, work] of after) {
      const start = before.get(pid);
      contextSwitches += Math.max(0, work.contextSwitches - (start?.contextSwitches ?? 0));
      if (ioSyscalls === null || work.ioSyscalls === null || (start && start.ioSyscalls === null))
        ioSyscalls = null;
      else ioSyscalls += work.ioSyscalls - (start?.ioSyscalls ?? 0);
    }
    byProcess[name] = { contextSwitches, ioSyscalls };
    attributed += contextSwitches;
  }
  const machine = b.machineContextSwitches - a.machineContextSwitches;
  return {
    machineContextSwitches: machine,
    byProcess,
    unattributedContextSwitches: Math.max(0, machine - attributed),
  };
}

/** Per completed saga, rounded to two decimals; null for a point that completed none. */
export function kernelWorkPerSaga(report: KernelWorkReport, sagas: number): KernelWorkReport | null {
  if (sagas <= 0) return null;
  const per = (n: number) => Math.round((100 * n) / sagas) / 100;
  return {
    machineContextSwitches: per(report.machineContextSwitches),
    unattributedContextSwitches: per(report.unattributedContextSwitches),
    byProcess: Object.fromEntries(
      Object.entries(report.byProcess).map(([name, w]) => [
        name,
        {
          contextSwitches: per(w.contextSwitches),
          ioSyscalls: w.ioSyscalls === null ? null : per(w.ioSyscalls),
        },
      ]),
    ),
  };
}
