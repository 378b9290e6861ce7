/**
 * The run record: one JSON file per chaos run — its configuration and seed, every fault with its
 * moment, every invariant with its count — written to chaos/records/ (CHAOS_RECORDS_DIR elsewhere).
 * The ones worth keeping are committed and listed in docs/reliability.md's table of runs on record.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from './checks/check-result.ts';
import type { ChaosOptions } from './options.ts';
import type { RunRecords } from './run-records.ts';

export interface FaultEntry {
  kind: string;
  /** Time since the drive started, e.g. `8.5s`. */
  at: string;
  target: string;
  detail: string;
}

export interface RunRecord {
  runId: string;
  /** ISO 8601, when the run started. */
  date: string;
  command: string;
  seed: number;
  options: ChaosOptions;
  orders: number;
  faults: FaultEntry[];
  /** Faults per kind. */
  faultCounts: Record<string, number>;
  invariants: Array<{ id: string; invariant: string; checked: number; violations: number }>;
  violations: number;
  timingsMs: Record<string, number>;
}

const atSeconds = (at: string): number => Number.parseFloat(at);

/** Every fault the run recorded, in the order of their moments. Pure. */
export function faultEntries(records: RunRecords): FaultEntry[] {
  const entries: FaultEntry[] = [
    ...records.kills.map((k) => ({
      kind: 'kill',
      at: k.at,
      target: k.victim,
      detail: `down ${k.downMs} ms, ready after ${k.readyAfterMs ?? k.note}`,
    })),
    ...records.brokerRestarts.map((b) => ({
      kind: 'broker-restart',
      at: b.at,
      target: 'kafka',
      detail: `stop+start ${b.restartMs} ms, every instance ready after ${b.allReadyAfterMs ?? 'never'} ms`,
    })),
    ...records.windows.map((w) => ({
      kind: 'silent-window',
      at: w.at,
      target: w.command,
      detail: `${w.orders} orders, silent ${w.silentMs} ms${w.completed ? '' : ', not completed'}`,
    })),
    ...records.faults.map((f) => ({ kind: f.kind, at: f.at, target: f.target, detail: f.outcome })),
  ];
  return entries.sort((a, b) => atSeconds(a.at) - atSeconds(b.at));
}

export function runRecord(facts: {
  runId: string;
  startedAt: number;
  command: string;
  options: ChaosOptions;
  orders: number;
  records: RunRecords;
  results: readonly CheckResult[];
}): RunRecord {
  const faults = faultEntries(facts.records);
  const faultCounts: Record<string, number> = {};
  for (const f of faults) faultCounts[f.kind] = (faultCounts[f.kind] ?? 0) + 1;
  const invariants = facts.results.map((r) => ({
    id: r.id,
    invariant: r.invariant,
    checked: r.checked,
    violations: r.violations.length,
  }));
  return {
    runId: facts.runId,
    date: new Date(facts.startedAt).toISOString(),
    command: facts.command,
    seed: facts.options.seed,
    options: facts.options,
    orders: facts.orders,
    faults,
    faultCounts,
    invariants,
    violations: invariants.reduce((sum, i) => sum + i.violations, 0),
    timingsMs: { ...facts.records.timings },
  };
}

/** Writes `<dir>/<date>-<runId>.json`; returns its path. */
export function writeRunRecord(dir: string, record: RunRecord): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${record.date.slice(0, 10)}-${record.runId}.json`);
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}
