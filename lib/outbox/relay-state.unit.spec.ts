import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type pg from 'pg';
import type { OutboxRow } from './outbox-batch.ts';
import { RelayState } from './relay-state.ts';

/** Rows of one commit of one order, told apart by seq only. */
const commitOf = (...seqs: number[]): OutboxRow[] =>
  seqs.map((seq) => ({
    seq,
    topic: 'order-events',
    message_key: 'order-1',
    payload: Buffer.alloc(0),
    headers: {},
  }));

// Only compared by identity: no connection is opened.
const connection = {} as pg.PoolClient;
const listener = {} as pg.Client;

describe('relay state (pure)', () => {
  test('rows go out from memory only while the relay holds the lock, listens and runs', () => {
    const state = new RelayState();
    assert.equal(state.publishingFromMemory, false, 'at start: neither lock nor LISTEN');
    state.owner = connection;
    assert.equal(state.publishingFromMemory, false, 'no LISTEN connection yet');
    state.listener = listener;
    assert.equal(state.publishingFromMemory, true);
    state.stopped = true;
    assert.equal(state.publishingFromMemory, false, 'stopped');
  });

  test('queued rows left to the table count as one commit without a NOTIFY, and the table is read', () => {
    const state = new RelayState();
    state.tableDirty = false;
    state.rows.enqueue(commitOf(1, 2));
    state.readQueuedFromTable();
    assert.equal(state.rows.queued, 0);
    assert.equal(state.unnotifiedCommits, 1);
    assert.equal(state.tableDirty, true);
    state.readQueuedFromTable();
    assert.equal(state.unnotifiedCommits, 1, 'nothing was queued: no commit to tell anyone about');
  });

  test('losing the lock leaves the queued rows to whoever publishes next', () => {
    const state = new RelayState();
    state.owner = connection;
    state.listener = listener;
    state.tableDirty = false;
    state.rows.enqueue(commitOf(3));
    state.loseLock();
    assert.equal(state.owner, null);
    assert.equal(state.publishingFromMemory, false);
    assert.equal(state.rows.queued, 0);
    assert.equal(state.unnotifiedCommits, 1);
    assert.equal(state.tableDirty, true);
  });
});
