/**
 * `npm run gen:saga-fixtures`: writes test/fixtures/saga-snapshots/v<N>.json, the stored snapshots
 * of every state of the current order saga (N: orchestrator/saga/snapshot-version.ts), which the
 * replay test replays against the code. When the machine changed since the committed file was
 * made, that file is replayed first: if a snapshot no longer restores or steps as recorded, the
 * change strands in-flight sagas, and it refuses to overwrite the file: bump the snapshot version
 * (with an upgrade from the old one, or a refusal) instead. `--check` exits 1 when the file is stale.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../lib/contracts/schema-files.ts';
import { orderSagaFingerprint } from '../orchestrator/saga/machine-fingerprint.ts';
import {
  buildSnapshotFixture,
  replaySnapshotFixture,
  type SnapshotFixture,
} from '../orchestrator/saga/snapshot-fixtures.ts';
import { sagaSnapshotVersion } from '../orchestrator/saga/snapshot-version.ts';

const relative = `test/fixtures/saga-snapshots/v${sagaSnapshotVersion}.json`;
const file = path.join(repoRoot, relative);
const fixture = buildSnapshotFixture(orderSagaFingerprint());
const committed = existsSync(file) ? readFileSync(file, 'utf8') : null;

// Compared as data: the file is laid out by the project's formatter.
if (committed !== null && JSON.stringify(JSON.parse(committed)) === JSON.stringify(fixture)) {
  console.log(`${relative} is up to date`);
  process.exit(0);
}
if (process.argv.includes('--check')) {
  console.error(`${relative} is ${committed === null ? 'missing' : 'stale'}: run npm run gen:saga-fixtures`);
  process.exit(1);
}
if (committed !== null) {
  const problems = replaySnapshotFixture(JSON.parse(committed) as SnapshotFixture);
  if (problems.length > 0) {
    console.error(
      [
        `The machine changed so that snapshots of version ${sagaSnapshotVersion} no longer replay:`,
        ...problems.map((p) => `  - ${p.path}: ${p.problem}`),
        `In-flight sagas stored by the previous code would be stranded. Bump sagaSnapshotVersion in`,
        `orchestrator/saga/snapshot-version.ts (add an upgrade from v${sagaSnapshotVersion}, or refuse it),`,
        `then run this again: it writes v${sagaSnapshotVersion + 1}.json and ${relative} stays as it is.`,
      ].join('\n'),
    );
    process.exit(1);
  }
}
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
execFileSync(path.join(repoRoot, 'node_modules/.bin/biome'), ['format', '--write', file], {
  stdio: 'ignore',
});
console.log(`wrote ${relative} (${fixture.sagas.length} snapshots)`);
