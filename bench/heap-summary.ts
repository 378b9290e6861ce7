/**
 * Summarises a sampling heap profile written by `bench/support/heap-sampler.ts` (`--heap-profile`):
 * bytes allocated by function and by module (npm package, project file, node internals), counting
 * what garbage collection has freed since — where the process allocates.
 *
 *   node --import tsx bench/heap-summary.ts <file.heapprofile> [--top N]
 */
import { readFileSync } from 'node:fs';
import type { HeapProfiler } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { locationOf, moduleOf } from './profile-summary.ts';

export interface HeapEntry {
  name: string;
  mb: number;
  percent: number;
}

export interface HeapSummary {
  file: string;
  /** Megabytes the samples stand for (the whole life of the process). */
  sampledMb: number;
  topFunctions: HeapEntry[];
  topModules: HeapEntry[];
}

export function summariseHeapProfile(file: string, { top = 15 }: { top?: number } = {}): HeapSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as HeapProfiler.SamplingHeapProfile;
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let total = 0;
  const pending = [profile.head];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    pending.push(...node.children);
    if (node.selfSize === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const fn = `${functionName || '(anonymous)'}${url ? ` ${locationOf(url)}:${lineNumber + 1}` : ''}`;
    const module = moduleOf(url, functionName);
    functions.set(fn, (functions.get(fn) ?? 0) + node.selfSize);
    modules.set(module, (modules.get(module) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  const rank = (map: Map<string, number>): HeapEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({
        name,
        mb: Math.round(bytes / 1e5) / 10,
        percent: total === 0 ? 0 : Math.round((1000 * bytes) / total) / 10,
      }));
  return {
    file,
    sampledMb: Math.round(total / 1e6),
    topFunctions: rank(functions),
    topModules: rank(modules),
  };
}

export function formatHeapSummary(label: string, summary: HeapSummary): string {
  const row = (e: HeapEntry) =>
    `    ${e.percent.toFixed(1).padStart(5)}%  ${e.mb.toFixed(1).padStart(8)} MB  ${e.name}`;
  return [
    `${label}: ${summary.sampledMb} MB allocated over the process's life, sampled (${summary.file})`,
    '  top modules (bytes allocated, %):',
    ...summary.topModules.map(row),
    '  top functions (bytes allocated, %):',
    ...summary.topFunctions.map(row),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const topIndex = args.indexOf('--top');
  if (!file) {
    console.error('usage: node --import tsx bench/heap-summary.ts <file.heapprofile> [--top N]');
    process.exit(2);
  }
  const top = topIndex === -1 ? 25 : Number(args[topIndex + 1]);
  console.log(formatHeapSummary(file, summariseHeapProfile(file, { top })));
}
