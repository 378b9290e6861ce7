/**
 * `npm run gen:types`: regenerates lib/contracts/generated.ts from schemas/<topic>/*.avsc.
 * `npm run gen:types -- --check` exits 1 when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateContractsModule } from '../lib/contracts/codegen.ts';
import { loadSchemaFiles, repoRoot } from '../lib/contracts/schema-files.ts';

const target = path.join(repoRoot, 'lib/contracts/generated.ts');
const text = generateContractsModule(loadSchemaFiles());
let current: string | undefined;
try {
  current = readFileSync(target, 'utf8');
} catch {
  current = undefined;
}

if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error('lib/contracts/generated.ts is stale: run npm run gen:types');
    process.exit(1);
  }
  console.log('lib/contracts/generated.ts is up to date');
} else if (current === text) {
  console.log('lib/contracts/generated.ts is up to date');
} else {
  writeFileSync(target, text);
  console.log('wrote lib/contracts/generated.ts');
}
