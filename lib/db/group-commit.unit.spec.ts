import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommit } from './group-commit.ts';

/** A commit function that records the batches it was given and can be held open. */
function recorder(fail: (items: readonly number[]) => boolean = () => false) {
  const batches: number[][] = [];
  let release: () => void = () => undefined;
  let gate = Promise.resolve();
  return {
    batches,
    hold() {
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
    commit: async (items: readonly number[]) => {
      batches.push([...items]);
      await gate;
      if (fail(items)) throw new Error(`batch ${items.join(',')} failed`);
      return items.map((n) => n * 10);
    },
  };
}

describe('GroupCommit', () => {
  test('an idle committer commits a single item at once', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit });
    assert.equal(await group.submit(1), 10);
    assert.deepEqual(r.batches, [[1]]);
  });

  test('items that arrive while a commit is in flight are committed together, in order', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxConcurrent: 1, maxBatch: 3 });
    r.hold();
    const first = group.submit(1);
    const rest = [2, 3, 4, 5].map((n) => group.submit(n));
    r.release();
    assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
    assert.deepEqual(r.batches, [[1], [2, 3, 4], [5]]);
  });

  test('a failing shared commit is retried item by item: only the bad item fails', async () => {
    const r = recorder((items) => items.includes(3));
    const group = new GroupCommit({ commit: r.commit, maxConcurrent: 1 });
    r.hold();
    const first = group.submit(1);
    const others = [2, 3, 4].map((n) =>
      group.submit(n).then(
        (v) => ({ ok: v }),
        (e: Error) => ({ error: e.message }),
      ),
    );
    r.release();
    await first;
    assert.deepEqual(await Promise.all(others), [{ ok: 20 }, { error: 'batch 3 failed' }, { ok: 40 }]);
    assert.deepEqual(r.batches, [[1], [2, 3, 4], [2], [3], [4]]);
  });

  test('with gatherSameTick, items submitted in the same tick share the first commit from idle', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxConcurrent: 1, gatherSameTick: true });
    const results = await Promise.all([1, 2, 3].map((n) => group.submit(n)));
    assert.deepEqual(results, [10, 20, 30]);
    assert.deepEqual(r.batches, [[1, 2, 3]]);
    // Later, from idle again: a lone item still commits (one turn of the event loop later).
    assert.equal(await group.submit(4), 40);
    assert.deepEqual(r.batches, [[1, 2, 3], [4]]);
  });

  test('without gatherSameTick the first item from idle commits alone', async () => {
    const r = recorder();
    const group = new GroupCommit({ commit: r.commit, maxConcurrent: 1 });
    await Promise.all([1, 2, 3].map((n) => group.submit(n)));
    assert.deepEqual(r.batches, [[1], [2, 3]]);
  });
});
