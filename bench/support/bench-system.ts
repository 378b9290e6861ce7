/**
 * The system a bench run measures: the four services it started (their pids and command lines,
 * node flags, niceness, profiles), the stack's Kafka and registry, and the Postgres server's
 * processes, as named groups for the CPU meter; and the measurement of one load point.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { perServiceEnv } from '../../scripts/support/service-env.ts';
import type { ServiceProcess } from '../../scripts/support/service-processes.ts';
import {
  repoRoot,
  serviceNodeArgs,
  stopService,
  waitUntilReady,
} from '../../scripts/support/service-processes.ts';
import { serviceNames } from './environment.ts';
import type { LoadPointResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import { type PostgresWatcher, walPerSaga } from './postgres-stats.ts';
import type { ProcessGroups } from './proc-stats.ts';
import {
  commandLineOf,
  perSaga,
  pidFromFile,
  RssSampler,
  round,
  snapshot,
  usageBetween,
} from './proc-stats.ts';

/** A measured load point (BenchSystem.measure). */
export type MeasuredPoint = Awaited<ReturnType<BenchSystem['measure']>>;

export class BenchSystem {
  readonly #options: BenchOptions;
  readonly #logDir: string;
  /** The stack's pid files, as scripts/stack.sh keeps them (bench:ab points ORDER_SAGA_STATE at its own). */
  readonly #stackRun = join(process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'), 'run');
  readonly services: ServiceProcess[] = [];
  /** Each service's command line as it ran (/proc), node flags included. */
  commandLines: Record<string, string[] | null> = {};
  /** The database being measured: the run's, then the database ceiling's. */
  postgres: PostgresWatcher;

  constructor(options: BenchOptions, logDir: string, postgres: PostgresWatcher) {
    this.#options = options;
    this.#logDir = logDir;
    this.postgres = postgres;
  }

  pids(): Record<string, number | null> {
    const pidOf = (name: string) => pidFromFile(join(this.#stackRun, `${name}.pid`));
    const services = this.services.map((s) => [s.name, s.child.pid ?? null]);
    return { ...Object.fromEntries(services), kafka: pidOf('kafka'), registry: pidOf('registry') };
  }

  readonly servicePids = () =>
    new Map(this.services.flatMap((s) => (s.child.pid ? [[s.name, s.child.pid]] : [])));

  readonly groups: ProcessGroups = () => {
    const pids = Object.entries(this.pids()).map(([name, pid]): [string, number[]] => [
      name,
      pid ? [pid] : [],
    ]);
    return new Map([...pids, ...this.postgres.groups()]);
  };

  /**
   * Starts the services as scripts/support/service-processes.ts does (`node <flags> --import tsx
   * <entry>`, logs to files), with the bench's node flags (--cpu-prof, which NODE_OPTIONS refuses,
   * the heap sampler) and the orchestrator's niceness (coreutils' `nice -n`, relative to the bench's).
   */
  async start(env: NodeJS.ProcessEnv): Promise<void> {
    const { nodeFlags, profile, heapProfile, orchestratorNice } = this.#options;
    const sampler = ['--import', 'tsx', '--import', join(repoRoot, 'bench/support/heap-sampler.ts')];
    mkdirSync(this.#logDir, { recursive: true });
    for (const name of serviceNames) {
      // One directory per service: the tsx loader's worker thread writes a profile of its own.
      const cpuProfile = profile
        ? ['--cpu-prof', `--cpu-prof-dir=${join(this.#logDir, 'profiles', name)}`]
        : [];
      const args = [
        process.execPath,
        ...serviceNodeArgs(name, [...nodeFlags, ...cpuProfile, ...(heapProfile ? sampler : [])]),
      ];
      if (name === 'orchestrator' && orchestratorNice !== 0)
        args.unshift('nice', '-n', String(orchestratorNice - getPriority()));
      const heap = heapProfile ? { BENCH_HEAP_PROFILE_DIR: join(this.#logDir, 'heap-profiles', name) } : {};
      const serviceEnv = { ...env, ...perServiceEnv(name, env), ...heap, LOG_FORMAT: 'json' };
      const child = spawn(args[0] ?? '', args.slice(1), {
        cwd: repoRoot,
        env: serviceEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const log = createWriteStream(join(this.#logDir, `${name}.log`), { flags: 'a' });
      child.stdout.pipe(log);
      child.stderr.pipe(log);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      this.services.push({ name, port: Number(env[`${name.toUpperCase()}_PORT`]), child, exited });
    }
    await Promise.all(this.services.map((s) => waitUntilReady(s, 120_000)));
    this.commandLines = Object.fromEntries(
      [...this.servicePids()].map(([name, pid]) => [name, commandLineOf(pid)]),
    );
    // nice runs the command even when it may not set the niceness (a negative one needs root): check.
    const orchestrator = this.servicePids().get('orchestrator') ?? 0;
    if (orchestratorNice !== 0 && getPriority(orchestrator) !== orchestratorNice)
      throw new Error(
        `the orchestrator does not run at niceness ${orchestratorNice} (below the bench's: root only)`,
      );
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((s) => stopService(s)));
  }

  /** Runs one load point and measures what it cost, process by process. */
  async measure(run: () => Promise<LoadPointResult>) {
    const db = this.postgres;
    await db.refresh();
    const [commitsBefore, walBefore, before] = [await db.commits(), await db.wal(), snapshot(this.groups)];
    const rss = new RssSampler(this.servicePids).start();
    const result = await run();
    await db.refresh(); // backends that connected during the point
    const cpu = usageBetween(before, snapshot(this.groups));
    const [commits, walAfter] = [(await db.commits()) - commitsBefore, await db.wal()];
    const p99 = result.latencyMs?.p99 ?? Infinity;
    const xactPerSaga = result.completed > 0 ? round(commits / result.completed, 2) : null;
    return {
      ...result,
      /** Every saga completed without error and p99 ≤ 1 s (no growing backlog). */
      sustained: result.errors.total === 0 && result.refused === 0 && p99 <= 1000,
      cpu,
      perSaga: perSaga(cpu, result.completed),
      /** Commits of the measured database, per second and per saga (bench:ab compares xactPerSaga). */
      db: { xactCommit: commits, xactPerS: Math.round(commits / cpu.wallSeconds), xactPerSaga },
      wal: walPerSaga(walBefore, walAfter, result.completed),
      rssKb: rss.stop(),
      /** sagasPerS ÷ the saga ceiling, once the ceilings are measured. */
      ratioToCeiling: null as number | null,
    };
  }
}
