/**
 * The replay test: every committed fixture of saga snapshots (test/fixtures/saga-snapshots/v<N>.json)
 * restores and steps as recorded against the current code, and the current version's fixture was
 * made from the current machine. A machine change that would strand in-flight sagas fails here;
 * see orchestrator/saga/snapshot-version.ts for what to do.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { orderSagaFingerprint } from './machine-fingerprint.ts';
import { storedSagaJson } from './order-pricing.ts';
import { start, toPersisted } from './order-saga.machine.ts';
import { type StoredSaga, sagaStateNames } from './saga-types.ts';
import { buildSnapshotFixture, replaySnapshotFixture, type SnapshotFixture } from './snapshot-fixtures.ts';
import {
  currentStoredSaga,
  refusedSnapshotVersions,
  sagaSnapshotVersion,
  UnsupportedSnapshotVersionError,
} from './snapshot-version.ts';

const fixturesDir = new URL('../../test/fixtures/saga-snapshots/', import.meta.url);
const committed: SnapshotFixture[] = readdirSync(fixturesDir)
  .filter((name) => /^v\d+\.json$/.test(name))
  .map((name) => JSON.parse(readFileSync(new URL(name, fixturesDir), 'utf8')) as SnapshotFixture);

const regenerate =
  'if the committed fixture still replays (the test above), the change keeps in-flight sagas working: run npm run gen:saga-fixtures; if not, bump sagaSnapshotVersion (orchestrator/saga/snapshot-version.ts) with an upgrade or a refusal of the old version, then run it';

describe('saga snapshot replay', () => {
  test('every committed fixture replays against the code (or its version is refused on purpose)', () => {
    assert.ok(committed.length > 0, 'no fixture committed');
    for (const fixture of committed) {
      assert.ok(
        fixture.version <= sagaSnapshotVersion,
        `fixture v${fixture.version} is newer than the code's version ${sagaSnapshotVersion}`,
      );
      if (refusedSnapshotVersions[fixture.version] !== undefined) {
        for (const { stored } of fixture.sagas)
          assert.throws(() => currentStoredSaga(stored), UnsupportedSnapshotVersionError);
        continue;
      }
      const problems = replaySnapshotFixture(fixture);
      assert.deepEqual(
        problems.map((p) => `${p.path}: ${p.problem}`),
        [],
        `snapshots of version ${fixture.version} no longer replay: sagas in flight would be stranded`,
      );
    }
  });

  test("the current version's fixture is made from the current machine and covers every state", () => {
    const current = committed.find((f) => f.version === sagaSnapshotVersion);
    assert.ok(
      current,
      `test/fixtures/saga-snapshots/v${sagaSnapshotVersion}.json is missing: npm run gen:saga-fixtures`,
    );
    assert.equal(
      current.fingerprint,
      orderSagaFingerprint(),
      `the machine changed since the fixture was made: ${regenerate}`,
    );
    assert.deepEqual(
      current,
      buildSnapshotFixture(current.fingerprint),
      `the fixture is stale: ${regenerate}`,
    );
    assert.deepEqual(new Set(current.sagas.map((s) => s.state)), new Set(sagaStateNames));
    for (const { stored } of current.sagas) assert.equal(stored.v, sagaSnapshotVersion);
  });

  test('a machine change that strands a state fails the replay', () => {
    const [fixture] = committed.filter((f) => f.version === sagaSnapshotVersion);
    assert.ok(fixture);
    // As if the stored state had been renamed in the machine, and a transition taken away.
    const renamed: SnapshotFixture = {
      ...fixture,
      sagas: fixture.sagas.map((s) =>
        s.state === 'refundingPayment'
          ? { ...s, stored: { ...s.stored, value: 'refundingCard' as never } }
          : s,
      ),
    };
    assert.ok(replaySnapshotFixture(renamed).some((p) => /does not restore/.test(p.problem)));
    const moved: SnapshotFixture = {
      ...fixture,
      sagas: fixture.sagas.map((s) => ({
        ...s,
        steps: s.steps.map((st) => ({ ...st, to: 'completed' as const })),
      })),
    };
    assert.ok(replaySnapshotFixture(moved).some((p) => /leads to/.test(p.problem)));
  });

  test('stored snapshots carry the version; an unknown or newer version is refused with a typed error', () => {
    const { snapshot } = start({
      orderId: 'o-1',
      retryPolicy: { forwardAttempts: 1, compensationAttempts: 1 },
      pricing: { currency: 'EUR', lines: [] },
    });
    const stored = JSON.parse(storedSagaJson(toPersisted(snapshot))) as StoredSaga;
    assert.equal(stored.v, sagaSnapshotVersion);
    assert.equal(currentStoredSaga(stored), stored, 'the current version as it is');
    const { v: _, ...unversioned } = stored;
    assert.deepEqual(
      currentStoredSaga(unversioned),
      { ...unversioned, v: sagaSnapshotVersion },
      'a row from before versions is version 1, upgraded (its stored form is the same)',
    );
    for (const v of [sagaSnapshotVersion + 1, 0, 1.5, 'two' as unknown as number])
      assert.throws(
        () => currentStoredSaga({ ...stored, v }, 'o-1'),
        (error: unknown) =>
          error instanceof UnsupportedSnapshotVersionError &&
          error.version === v &&
          error.orderId === 'o-1' &&
          error.message.includes(`reads version ${sagaSnapshotVersion}`),
      );
    assert.match(
      (() => {
        try {
          currentStoredSaga({ ...stored, v: sagaSnapshotVersion + 1 });
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })(),
      /newer than this code/,
    );
  });
});
