import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CommittedRows } from './committed-rows.ts';
import type { OutboxRow } from './outbox-batch.ts';

const row = (seq: number): OutboxRow => ({
  seq,
  topic: 't',
  message_key: `k${seq}`,
  payload: Buffer.from([seq]),
  headers: {},
});
const seqsOf = (rows: readonly OutboxRow[]) => rows.map((r) => r.seq);

describe('committed rows (pure)', () => {
  test('queued rows come out in commit order, at most a batch at a time', () => {
    const rows = new CommittedRows();
    // Two transactions committed in the order 7 then 5 (seqs need not follow commit order).
    rows.enqueue([row(7), row(8)]);
    rows.enqueue([row(5)]);
    assert.deepEqual(seqsOf(rows.take(2)), [7, 8]);
    assert.equal(rows.queued, 1);
    assert.deepEqual(seqsOf(rows.take(2)), [5]);
    assert.deepEqual(rows.take(2), []);
  });

  test('a row published from the table is not published again from the queue, and vice versa', () => {
    const rows = new CommittedRows();
    rows.enqueue([row(1), row(2), row(3)]);
    // A read of the table published 1 and 2 first.
    rows.markPublished(rows.unpublished([row(1), row(2)]));
    assert.deepEqual(seqsOf(rows.take(10)), [3]);
    rows.markPublished([row(3)]);
    assert.deepEqual(seqsOf(rows.unpublished([row(1), row(3), row(4)])), [4]);
  });

  test('a queued row that a read of the table published and deleted is not published again', () => {
    const rows = new CommittedRows();
    rows.enqueue([row(1), row(2)]);
    // A NOTIFY from another instance: the table read sees 1 and 2, publishes and deletes them.
    const read = [row(1), row(2), row(3)];
    rows.markPublished(rows.unpublished(read));
    rows.deleted(read.map((r) => r.seq));
    assert.equal(rows.queued, 0);
    assert.deepEqual(rows.take(10), []);
    assert.equal(rows.awaitingDelete, 0);
  });

  test('published rows wait to be deleted until a committed delete says so', () => {
    const rows = new CommittedRows();
    rows.markPublished([row(1), row(2)]);
    assert.deepEqual(rows.toDelete().sort(), [1, 2]);
    rows.deleted([1]);
    assert.equal(rows.awaitingDelete, 1);
    assert.deepEqual(seqsOf(rows.unpublished([row(1), row(2)])), [1], 'a deleted seq is no longer known');
  });

  test('dropping the queue keeps what was published (still to delete)', () => {
    const rows = new CommittedRows();
    rows.enqueue([row(1), row(2)]);
    rows.markPublished(rows.take(1));
    rows.dropQueued();
    assert.equal(rows.queued, 0);
    assert.deepEqual(rows.toDelete(), [1]);
  });
});
