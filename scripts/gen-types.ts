/**
 * `npm run gen:types`: regenerates the contract types from schemas/<topic>/*.avsc: one module per
 * topic in lib/contracts/generated/, and the index lib/contracts/generated.ts. Removes files of
 * lib/contracts/generated/ it no longer generates.
 * `npm run gen:types -- --check` exits 1 when a committed file is stale, missing or extra.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { contractTopicsDir, generateContractModules } from '../lib/contracts/codegen.ts';
import { generatedFileDrift, generatedFilesOnDisk } from '../lib/contracts/generated-files.ts';
import { loadSchemaFiles, repoRoot } from '../lib/contracts/schema-files.ts';

const modules = generateContractModules(loadSchemaFiles());
const drift = generatedFileDrift(modules, generatedFilesOnDisk());

if (drift.length === 0) {
  console.log('lib/contracts/generated.ts and lib/contracts/generated/ are up to date');
} else if (process.argv.includes('--check')) {
  for (const d of drift) console.error(`${d.path} is ${d.problem}`);
  console.error('the generated contract types are stale: run npm run gen:types');
  process.exit(1);
} else {
  mkdirSync(path.join(repoRoot, contractTopicsDir), { recursive: true });
  const textOf = new Map(modules.map((m) => [m.path, m.text]));
  for (const d of drift) {
    const text = textOf.get(d.path);
    if (text === undefined) {
      rmSync(path.join(repoRoot, d.path));
      console.log(`removed ${d.path}`);
    } else {
      writeFileSync(path.join(repoRoot, d.path), text);
      console.log(`wrote ${d.path}`);
    }
  }
}
