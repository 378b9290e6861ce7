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

/** A service's profile summarised: totals and the largest functions and modules (summarise). */
export type ProfileSummary = ReturnType<typeof summarise>;

/** A frame's file, short: `kafkajs/src/network/connection.js`, `lib/avro/codec.ts`. */
const locationOf = (url: string): string => {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) return url.slice(nm + '/node_modules/'.length);
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
};

/** Which module a frame belongs to: an npm package, a project file, node internals, or a V8 pseudo frame. */
function moduleOf({ url, functionName }: Runtime.CallFrame): string {
  if (url === '')
    return functionName === '(garbage collector)' ? '(gc)' : `(${functionName.replace(/[()]/g, '')})`;
  if (url.startsWith('node:')) {
    const [first, second] = url.slice('node:'.length).split('/');
    return `node:${first === 'internal' ? `internal/${second}` : first}`;
  }
  const [scope = '', name = ''] = locationOf(url).split('/');
  if (!url.includes('/node_modules/')) return `project: ${locationOf(url)}`;
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** Adds up weighed frames by function and by module, the `top` largest of each. */
function summarise(
  head: { service: string; kind: 'cpu' | 'heap'; file: string },
  weights: ReadonlyArray<[Runtime.CallFrame, number]>,
  unit: number,
  top = 20,
) {
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  for (const [frame, weight] of weights) {
    const { functionName, url, lineNumber } = frame;
    const fn = `${functionName || '(anonymous)'}${url ? ` ${locationOf(url)}:${lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + weight);
    modules.set(moduleOf(frame), (modules.get(moduleOf(frame)) ?? 0) + weight);
    total += weight;
  }
  // amount: milliseconds of self time (CPU) or megabytes allocated (heap)
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, w]) => ({
        name,
        amount: Math.round((10 * w) / unit) / 10,
        percent: Math.round((1000 * w) / total) / 10,
      }));
  return {
    ...head,
    total: Math.round(total / unit),
    topFunctions: rank(functions),
    topModules: rank(modules),
  };
}

/**
 * The summaries of the profiles the services wrote as they stopped (under `logDir`): CPU self time
 * between two CLOCK_MONOTONIC instants (µs), idle left out; bytes allocated over their whole life.
 */
export function collectProfiles(
  logDir: string,
  services: readonly string[],
  window: { fromUs: number; toUs: number },
  kinds: { cpu: boolean; heap: boolean },
): ProfileSummary[] {
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread
  const names = {
    cpu: ['profiles', /\.\d+\.0\.\d+\.cpuprofile$/],
    heap: ['heap-profiles', /\.heapprofile$/],
  } as const;
  return (['cpu', 'heap'] as const).flatMap((kind) =>
    services.flatMap((service) => {
      const dir = join(logDir, names[kind][0], service);
      const found =
        kinds[kind] && existsSync(dir) ? readdirSync(dir).find((f) => names[kind][1].test(f)) : undefined;
      if (found === undefined) return [];
      const file = join(dir, found);
      const weights: Array<[Runtime.CallFrame, number]> = [];
      if (kind === 'cpu') {
        const profile = JSON.parse(readFileSync(file, 'utf8')) as Profiler.Profile;
        const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
        const deltas = profile.timeDeltas ?? [];
        let t = profile.startTime;
        for (const [i, id] of (profile.samples ?? []).entries()) {
          t += deltas[i] ?? 0;
          const frame = frames.get(id);
          // the delta before the next sample is the time this sample stands for
          if (t >= window.fromUs && t <= window.toUs && frame && frame.functionName !== '(idle)')
            weights.push([frame, deltas[i + 1] ?? 0]);
        }
      } else {
        const profile = JSON.parse(readFileSync(file, 'utf8')) as HeapProfiler.SamplingHeapProfile;
        for (const pending = [profile.head]; pending.length > 0; ) {
          const node = pending.pop() as HeapProfiler.SamplingHeapProfileNode;
          pending.push(...node.children);
          if (node.selfSize > 0) weights.push([node.callFrame, node.selfSize]);
        }
      }
      return [summarise({ service, kind, file }, weights, kind === 'cpu' ? 1000 : 1e6)];
    }),
  );
}

export function formatProfile(summary: ProfileSummary): string {
  const cpu = summary.kind === 'cpu';
  const row = (e: ProfileSummary['topModules'][number]) =>
    `    ${e.percent.toFixed(1).padStart(5)}%  ${e.amount.toFixed(1).padStart(9)} ${cpu ? 'ms' : 'MB'}  ${e.name}`;
  const what = cpu ? 'self time, % of busy' : 'bytes allocated, %';
  const total = cpu
    ? `${summary.total} ms busy under load`
    : `${summary.total} MB allocated over its life, sampled`;
  return [
    `${summary.service}: ${total} (${relative(repoRoot, summary.file)})`,
    `  top modules (${what}):`,
    ...summary.topModules.map(row),
    `  top functions (${what}):`,
    ...summary.topFunctions.map(row),
  ].join('\n');
}
