/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time by function and by module (npm
 * package, project file, node internals, GC, idle), optionally restricted to a time window given in
 * CLOCK_MONOTONIC microseconds — the clock of both the profile and process.hrtime — so the bench
 * can keep only the samples taken under load.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--from-us N] [--to-us N] [--top N]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../scripts/support/service-processes.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Sampled milliseconds in the window (busy + idle). */
  sampledMs: number;
  /** Milliseconds not idle: JS, GC, native. */
  busyMs: number;
  topFunctions: ProfileEntry[];
  topModules: ProfileEntry[];
}

/** Which module a frame belongs to: an npm package, a project file, node internals, or a V8 pseudo frame. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native/V8)';
    return `(native ${functionName || 'anonymous'})`;
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const [scope = '', name = ''] = url.slice(nm + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return `node:${parts[0] === 'internal' ? parts.slice(0, 2).join('/') : parts[0]}`;
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) ? `project: ${relative(repoRoot, path)}` : path;
}

/** A frame's file, short: `kafkajs/src/network/connection.js`, `lib/avro/codec.ts`, `node:internal/…`. */
export function locationOf(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
}

export function summariseProfile(
  file: string,
  { fromUs, toUs, top = 15 }: { fromUs?: number; toUs?: number; top?: number } = {},
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (fromUs !== undefined && t < fromUs) continue;
    if (toUs !== undefined && t > toUs) break;
    // the delta before the next sample is the time this sample stands for
    const weight = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + weight);
  }
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let sampled = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url, functionName);
    sampled += us;
    if (module === '(idle)') {
      idle += us;
      continue;
    }
    const fn = `${functionName || '(anonymous)'}${url ? ` ${locationOf(url)}:${lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    modules.set(module, (modules.get(module) ?? 0) + us);
  }
  const busy = sampled - idle;
  const rank = (map: Map<string, number>): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        percent: busy === 0 ? 0 : Math.round((1000 * us) / busy) / 10,
      }));
  return {
    file,
    sampledMs: Math.round(sampled / 1000),
    busyMs: Math.round(busy / 1000),
    topFunctions: rank(functions),
    topModules: rank(modules),
  };
}

export function formatProfileSummary(label: string, summary: ProfileSummary): string {
  const lines = [
    `${label}: ${summary.busyMs} ms busy of ${summary.sampledMs} ms sampled (${summary.file})`,
    '  top modules (self time, % of busy):',
    ...summary.topModules.map(
      (e) => `    ${e.percent.toFixed(1).padStart(5)}%  ${String(e.selfMs).padStart(7)} ms  ${e.name}`,
    ),
    '  top functions (self time, % of busy):',
    ...summary.topFunctions.map(
      (e) => `    ${e.percent.toFixed(1).padStart(5)}%  ${String(e.selfMs).padStart(7)} ms  ${e.name}`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : Number(args[i + 1]);
  };
  if (!file) {
    console.error(
      'usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--from-us N] [--to-us N] [--top N]',
    );
    process.exit(2);
  }
  const options: { fromUs?: number; toUs?: number; top?: number } = {};
  const fromUs = flag('--from-us');
  const toUs = flag('--to-us');
  const top = flag('--top');
  if (fromUs !== undefined) options.fromUs = fromUs;
  if (toUs !== undefined) options.toUs = toUs;
  if (top !== undefined) options.top = top;
  console.log(formatProfileSummary(file, summariseProfile(file, options)));
}
