/**
 * `--profile` and `--heap-profile`: summaries of what each service wrote, by function and by
 * module (npm package, project file, node internals, GC). CPU profiles (`node --cpu-prof`) give
 * self time, counted only between two CLOCK_MONOTONIC instants (the clock of the profile and of
 * process.hrtime), so that only the load counts; heap profiles (support/heap-sampler.ts) give bytes
 * allocated over the process's life, freed ones included: where its garbage collection comes from.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { HeapProfiler, Profiler, Runtime } from 'node:inspector';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../scripts/support/service-processes.ts';

export interface ProfileEntry {
  name: string;
  /** Milliseconds of self time, or megabytes allocated. */
  amount: number;
  percent: number;
}

export interface ProfileSummary {
  service: string;
  file: string;
  /** CPU: busy milliseconds (not idle) of the window; heap: megabytes allocated. */
  total: number;
  topFunctions: ProfileEntry[];
  topModules: ProfileEntry[];
}

/** Which module a frame belongs to: an npm package, a project file, node internals, or a V8 pseudo frame. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '')
    return functionName === '(garbage collector)'
      ? '(gc)'
      : `(${functionName.replace(/[()]/g, '') || 'native'})`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const [scope = '', name = ''] = url.slice(nm + '/node_modules/'.length).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (url.startsWith('node:')) {
    const [first, second] = url.slice('node:'.length).split('/');
    return `node:${first === 'internal' ? `internal/${second}` : first}`;
  }
  return `project: ${locationOf(url)}`;
}

/** A frame's file, short: `kafkajs/src/network/connection.js`, `lib/avro/codec.ts`. */
const locationOf = (url: string): string => {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
};

/** Adds up `weights` (frame → amount) by function and by module, the `top` largest of each. */
function summarise(
  service: string,
  file: string,
  weights: Iterable<[Runtime.CallFrame, number]>,
  { top, unit }: { top: number; unit: number },
): ProfileSummary {
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  for (const [{ functionName, url, lineNumber }, weight] of weights) {
    const fn = `${functionName || '(anonymous)'}${url ? ` ${locationOf(url)}:${lineNumber + 1}` : ''}`;
    const module = moduleOf(url, functionName);
    functions.set(fn, (functions.get(fn) ?? 0) + weight);
    modules.set(module, (modules.get(module) ?? 0) + weight);
    total += weight;
  }
  const rank = (map: Map<string, number>): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, w]) => ({
        name,
        amount: Math.round((10 * w) / unit) / 10,
        percent: Math.round((1000 * w) / (total || 1)) / 10,
      }));
  return {
    service,
    file,
    total: Math.round(total / unit),
    topFunctions: rank(functions),
    topModules: rank(modules),
  };
}

/** Self time by frame of the samples taken between `fromUs` and `toUs`, idle left out. */
export function summariseCpuProfile(
  service: string,
  file: string,
  fromUs: number,
  toUs: number,
  top = 20,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const weights: Array<[Runtime.CallFrame, number]> = [];
  let t = profile.startTime;
  const deltas = profile.timeDeltas ?? [];
  for (const [i, id] of (profile.samples ?? []).entries()) {
    t += deltas[i] ?? 0;
    const frame = frames.get(id);
    // the delta before the next sample is the time this sample stands for
    if (t >= fromUs && t <= toUs && frame && frame.functionName !== '(idle)')
      weights.push([frame, deltas[i + 1] ?? 0]);
  }
  return summarise(service, file, weights, { top, unit: 1000 });
}

/** Bytes allocated by frame, over the process's whole life. */
export function summariseHeapProfile(service: string, file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as HeapProfiler.SamplingHeapProfile;
  const weights: Array<[Runtime.CallFrame, number]> = [];
  for (const pending = [profile.head]; pending.length > 0; ) {
    const node = pending.pop() as HeapProfiler.SamplingHeapProfileNode;
    pending.push(...node.children);
    if (node.selfSize > 0) weights.push([node.callFrame, node.selfSize]);
  }
  return summarise(service, file, weights, { top, unit: 1e6 });
}

/** The first file in `dir` whose name matches, if any. */
export const profileIn = (dir: string, name: RegExp): string | null => {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => name.test(f)) : undefined;
  return file === undefined ? null : join(dir, file);
};

export function formatProfile(summary: ProfileSummary, kind: 'cpu' | 'heap'): string {
  const unit = kind === 'cpu' ? 'ms' : 'MB';
  const row = (e: ProfileEntry) =>
    `    ${e.percent.toFixed(1).padStart(5)}%  ${e.amount.toFixed(1).padStart(9)} ${unit}  ${e.name}`;
  const what = kind === 'cpu' ? 'self time, % of busy' : 'bytes allocated, %';
  return [
    kind === 'cpu'
      ? `${summary.service}: ${summary.total} ms busy under load (${relative(repoRoot, summary.file)})`
      : `${summary.service}: ${summary.total} MB allocated over the process's life, sampled (${relative(repoRoot, summary.file)})`,
    `  top modules (${what}):`,
    ...summary.topModules.map(row),
    `  top functions (${what}):`,
    ...summary.topFunctions.map(row),
  ].join('\n');
}
