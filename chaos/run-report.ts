/**
 * The verdict of a run: the invariant table, every note and the first violations of each check,
 * what happened (orders by kind, kills, broker restarts, silent windows, timings), how to repeat
 * it; printed, and written to report.txt and report.json in the run's log directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from './checks/check-result.ts';
import type { PlacedOrder } from './driver.ts';
import { seconds } from './event-log.ts';
import type { RunRecords } from './run-records.ts';

/** Violations printed per check; report.json has them all. */
const shownViolations = 12;

/** `invariant | checked | violations`, one row per check. */
export function reportTable(results: readonly CheckResult[]): string {
  const rows = results.map((r) => [
    `${r.id.padEnd(3)} ${r.invariant}`,
    String(r.checked),
    String(r.violations.length),
  ]);
  const head = ['invariant', 'checked', 'violations'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join(' | ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

export const violationCount = (results: readonly CheckResult[]): number =>
  results.reduce((sum, r) => sum + r.violations.length, 0);

export interface ReportFacts {
  results: readonly CheckResult[];
  placed: readonly PlacedOrder[];
  records: RunRecords;
  /** Time since the run started, e.g. `79.1s`. */
  total: string;
  seed: number;
  command: string;
  /** The log directory, relative to the repository. */
  logs: string;
}

/** The report's text; its last line is the verdict line the chaos spec reads. */
export function reportSummary({ results, placed, records, total, seed, command, logs }: ReportFacts): string {
  const kinds = new Map<string, number>();
  for (const p of placed) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
  const lines: string[] = ['', reportTable(results)];
  for (const r of results) {
    for (const note of r.notes ?? []) lines.push(`  ${r.id}: ${note}`);
    for (const v of r.violations.slice(0, shownViolations)) lines.push(`  ${r.id} VIOLATION: ${v}`);
    if (r.violations.length > shownViolations)
      lines.push(`  ${r.id}: … ${r.violations.length - shownViolations} more (report.json)`);
  }
  const listOr = (items: string[]) => items.join('; ') || 'none';
  lines.push('');
  lines.push(`orders by kind: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  lines.push(
    `kills: ${listOr(
      records.kills.map(
        (k) =>
          `${k.at} ${k.victim}${k.victim === k.planned ? '' : ` (for ${k.planned})`} down ${k.downMs}ms, ready ${k.readyAfterMs === null ? k.note || '?' : seconds(k.readyAfterMs)}`,
      ),
    )}`,
  );
  lines.push(
    `broker restarts: ${listOr(
      records.brokerRestarts.map(
        (b) =>
          `${b.at} stop+start ${seconds(b.restartMs)}, every instance ready ${b.allReadyAfterMs === null ? 'NEVER' : seconds(b.allReadyAfterMs)} later, ${b.exitsDuring} exits`,
      ),
    )}`,
  );
  lines.push(
    `silent windows: ${listOr(
      records.windows.map(
        (w) =>
          `${w.at} ${w.command} ×${w.orders} (drain ${seconds(w.drainMs)}, silent ${seconds(w.silentMs)})`,
      ),
    )}`,
  );
  lines.push(
    `more faults: ${listOr(
      [...records.faults]
        .sort((a, b) => Number.parseFloat(a.at) - Number.parseFloat(b.at))
        .map((f) => `${f.at} ${f.kind} ${f.target}: ${f.outcome}`),
    )}`,
  );
  lines.push(
    `timings: ${Object.entries(records.timings)
      .map(([k, v]) => `${k} ${seconds(v)}`)
      .join(', ')}, total ${total}`,
  );
  lines.push(`seed ${seed}; reproduce: ${command}`);
  lines.push(`logs: ${logs}/`);
  lines.push(
    `chaos: ${placed.length} orders, ${records.kills.length} kills, ${records.brokerRestarts.length} broker restarts, ${violationCount(results)} violations`,
  );
  return lines.join('\n');
}

/** report.txt (the summary) and report.json (every result, record and option) in `logDir`. */
export function writeReport(logDir: string, summary: string, json: Record<string, unknown>): void {
  writeFileSync(join(logDir, 'report.txt'), `${summary}\n`);
  writeFileSync(join(logDir, 'report.json'), JSON.stringify(json, null, 2));
}
