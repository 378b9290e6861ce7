import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_RETRY_BACKOFF_MS,
  nextRelayWork,
  type PendingRelayWork,
  retryBackoffMs,
} from './relay-schedule.ts';

const pending = (overrides: Partial<Omit<PendingRelayWork, 'rows'>> & Partial<PendingRelayWork['rows']>) => ({
  tableDirty: overrides.tableDirty ?? false,
  deleteDue: overrides.deleteDue ?? false,
  rows: { queued: overrides.queued ?? 0, awaitingDelete: overrides.awaitingDelete ?? 0 },
});
const batchSize = 100;
const deleteEveryMs = 100;

describe("the relay's next step (pure)", () => {
  test('nothing pending: idle', () => {
    assert.equal(nextRelayWork(pending({}), batchSize, deleteEveryMs), 'idle');
  });

  test('a table that may hold unread rows goes before rows in memory and before due deletes', () => {
    const all = pending({ tableDirty: true, queued: 5, awaitingDelete: batchSize, deleteDue: true });
    assert.equal(nextRelayWork(all, batchSize, deleteEveryMs), 'publishFromTable');
  });

  test('rows in memory go before deletes, even due ones', () => {
    const work = nextRelayWork(pending({ queued: 1, awaitingDelete: 3, deleteDue: true }), batchSize, 0);
    assert.equal(work, 'publishFromMemory');
  });

  test('published rows wait for the delete timer while fewer than a batch of them wait', () => {
    assert.equal(nextRelayWork(pending({ awaitingDelete: batchSize - 1 }), batchSize, deleteEveryMs), 'idle');
  });

  test('published rows are deleted when the timer fired, a full batch waits, or deletes are not batched', () => {
    const due = pending({ awaitingDelete: 1, deleteDue: true });
    assert.equal(nextRelayWork(due, batchSize, deleteEveryMs), 'deletePublished');
    const fullBatch = pending({ awaitingDelete: batchSize });
    assert.equal(nextRelayWork(fullBatch, batchSize, deleteEveryMs), 'deletePublished');
    const unbatched = pending({ awaitingDelete: 1 });
    assert.equal(nextRelayWork(unbatched, batchSize, 0), 'deletePublished');
  });

  test('a due delete with nothing published to delete is idle', () => {
    assert.equal(nextRelayWork(pending({ deleteDue: true }), batchSize, 0), 'idle');
  });
});

describe("the relay's retry backoff (pure)", () => {
  test('200 ms after the first failure, doubling, then capped at 5 s', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7, 50].map(retryBackoffMs);
    assert.deepEqual(waits, [200, 400, 800, 1_600, 3_200, 5_000, 5_000, 5_000]);
    assert.equal(Math.max(...waits), MAX_RETRY_BACKOFF_MS);
  });
});
