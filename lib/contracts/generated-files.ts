/**
 * The generated contract files on disk compared with what the generator emits: which differ, which
 * are missing, and which lie in `lib/contracts/generated/` without being emitted (a topic that no
 * longer exists). Used by `npm run gen:types` and by the unit test that fails on drift.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractsIndexPath, contractTopicsDir, type GeneratedModule } from './codegen.ts';
import { repoRoot } from './schema-files.ts';

export interface GeneratedFileDrift {
  /** Relative to the repository root. */
  path: string;
  /**
   * `stale`: differs from what the generator emits; `missing`: emitted but not on disk; `extra`:
   * in the generated folder but not emitted.
   */
  problem: 'stale' | 'missing' | 'extra';
}

/** The text of every file the generator owns on disk (the index, and every file of its folder). */
export function generatedFilesOnDisk(root: string = repoRoot): Map<string, string> {
  const paths = [contractsIndexPath];
  const dir = path.join(root, contractTopicsDir);
  if (existsSync(dir)) paths.push(...readdirSync(dir).map((f) => `${contractTopicsDir}/${f}`));
  const out = new Map<string, string>();
  for (const p of paths) {
    const file = path.join(root, p);
    if (existsSync(file)) out.set(p, readFileSync(file, 'utf8'));
  }
  return out;
}

/** What differs between the emitted modules and the files on disk, in module order then extras. */
export function generatedFileDrift(
  modules: readonly GeneratedModule[],
  onDisk: ReadonlyMap<string, string>,
): GeneratedFileDrift[] {
  const drift: GeneratedFileDrift[] = [];
  for (const { path: p, text } of modules) {
    const committed = onDisk.get(p);
    if (committed === undefined) drift.push({ path: p, problem: 'missing' });
    else if (committed !== text) drift.push({ path: p, problem: 'stale' });
  }
  const emitted = new Set(modules.map((m) => m.path));
  for (const p of [...onDisk.keys()].sort()) {
    if (!emitted.has(p)) drift.push({ path: p, problem: 'extra' });
  }
  return drift;
}
