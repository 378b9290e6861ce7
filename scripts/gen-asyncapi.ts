/**
 * `npm run gen:asyncapi`: regenerates docs/asyncapi.yaml from the code (the orchestrator serves the
 * same document at GET /asyncapi.json). `npm run gen:asyncapi -- --check` exits 1 when it is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/contracts/schema-files.ts';
import { asyncApiDrift, asyncApiFile, asyncApiYaml, committedAsyncApi } from './support/asyncapi-yaml.ts';

const text = asyncApiYaml();
const drift = asyncApiDrift(committedAsyncApi(), text);

if (process.argv.includes('--check')) {
  if (drift !== null) {
    console.error(drift);
    process.exit(1);
  }
  console.log(`${asyncApiFile} is up to date`);
} else if (drift === null) {
  console.log(`${asyncApiFile} is up to date`);
} else {
  writeFileSync(path.join(repoRoot, asyncApiFile), text);
  console.log(`wrote ${asyncApiFile}`);
}
